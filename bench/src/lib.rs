//! Benchmarks and load generators for motcua.
//!
//! The criterion benchmarks live in `benches/` (run with
//! `cargo bench -p motcua-bench`); the binaries in `src/bin/` measure a running system:
//! `load` (the services under concurrent requests) and `reporting-bench` (the handling report
//! over 10 million dossiers, run by `bench/reporting.sh`), `intake-bench` (`bench/run`: intake
//! against pgbench on the same PostgreSQL). Numbers: `docs/performance.md`.

pub mod profile;
pub mod system;
