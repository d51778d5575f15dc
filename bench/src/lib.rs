//! Benchmarks and load generators for motcua.
//!
//! The criterion benchmarks live in `benches/` (run with
//! `cargo bench -p motcua-bench`); load generators for the services will be
//! added here later.
