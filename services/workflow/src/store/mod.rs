//! All of workflow's SQL, by table group. Rows are parsed into domain types here, at the edge.

pub mod alerts;
pub mod cases;
pub mod connector;
pub mod deliveries;
pub mod extensions;
pub mod handovers;
pub mod subscriptions;
pub mod tasks;
