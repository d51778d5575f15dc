//! All of intake's SQL, by table group. Rows are parsed into domain types here, at the edge,
//! so a status or a policy the code does not know is an error, not a guess.

pub mod compliance;
pub mod documents;
pub mod dossiers;
pub mod files;
pub mod outreach;
pub mod payments;
pub mod receipts;
pub mod register;
pub mod sequence;
pub mod supplements;
