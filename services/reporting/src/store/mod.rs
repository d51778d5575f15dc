//! All of reporting's SQL, by table group. Rows are parsed into domain types here, at the edge.

pub mod facts;
