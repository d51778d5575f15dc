//! Stand-ins for the systems outside motcua, each a real server on a random loopback port that
//! the services reach over the network exactly as they would reach the real one: the national
//! public-service portal ([`portal`]), an SMTP relay ([`mail`]) and an SMS provider ([`sms`]).

pub mod mail;
pub mod portal;
pub mod sms;
