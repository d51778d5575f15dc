//! End-to-end tests: the four services in one process on random ports, a fresh database each,
//! real gRPC between them. One test binary (each extra binary would re-link the whole graph).

mod auth;
mod catalogue;
mod contract;
mod intake_rules;
mod integrators;
mod lifecycle;
mod outreach;
mod platform;
mod platform_protection;
mod poison;
mod replicas;
mod reporting;
mod reporting_oracle;
mod reporting_views;
mod shape;
mod skeleton;
mod workflow_clocks;
mod workflow_outcomes;
mod workflow_support;
