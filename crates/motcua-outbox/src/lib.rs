//! Transactional outbox: record events with the change, relay them at least once over gRPC; idempotent inbox for receivers.
