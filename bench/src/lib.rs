//! Benchmarks and load generators for motcua.
//!
//! The criterion benchmarks live in `benches/` (run with
//! `cargo bench -p motcua-bench`); the binaries in `src/bin/` measure a running system:
//! `load` (the services under concurrent requests) and `reporting-bench` (the handling report
//! over 10 million dossiers, run by `bench/reporting.sh`), `intake-bench` (`bench/run`: intake
//! against pgbench on the same PostgreSQL, and completed multi-agency flows through the
//! reference sector systems), `crash-test` (`bench/crash`). Numbers: `docs/performance.md`.

pub mod counter;
pub mod flow_load;
pub mod flows;
pub mod forwarding;
pub mod pg;
pub mod profile;
pub mod sector;
pub mod system;
