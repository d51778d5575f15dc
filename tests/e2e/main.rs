//! End-to-end tests: the four services in one process on random ports, a fresh database each,
//! real gRPC between them. One test binary (each extra binary would re-link the whole graph).

mod applicant_identity;
mod audit_trail;
mod auth;
mod authorization_grpc;
mod authorization_matrix;
mod catalogue;
mod connector_grpc;
mod connectors;
mod connectors_support;
mod connectors_webhooks;
mod contract;
mod dossier_files;
mod forms;
mod history;
mod intake_rules;
mod integrators;
mod lifecycle;
mod outreach;
mod payments;
mod personal_data;
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
