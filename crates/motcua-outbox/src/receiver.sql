-- Idempotent inbox (see crates/motcua-outbox): one row per event id applied.
CREATE TABLE inbox_event (
    event_id     uuid PRIMARY KEY,
    event_type   text        NOT NULL,
    source       text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
