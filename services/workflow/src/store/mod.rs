//! All of workflow's SQL, by table group. Rows are parsed into domain types here, at the edge.

pub mod alerts;
pub mod cases;
pub mod extensions;
pub mod handovers;
pub mod tasks;
