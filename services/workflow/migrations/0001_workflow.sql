-- Workflow schema: the case behind each accepted dossier, and the idempotent inbox.

-- The case (hồ sơ đang giải quyết) opened for a received dossier; one per dossier.
CREATE TABLE dossier_case (
    id                 uuid PRIMARY KEY,
    dossier_code       text        NOT NULL UNIQUE,
    procedure_code     text        NOT NULL,
    procedure_version  integer     NOT NULL,
    receiving_agency   text        NOT NULL,
    state              text        NOT NULL,
    opened_at          timestamptz NOT NULL,
    received_at        timestamptz NOT NULL,
    due_at             timestamptz NOT NULL,
    due_provisional    boolean     NOT NULL,
    opened_by_event    uuid        NOT NULL,
    trace_id           text
);

-- Idempotent inbox (see crates/motcua-outbox): one row per event id applied.
CREATE TABLE inbox_event (
    event_id     uuid PRIMARY KEY,
    event_type   text        NOT NULL,
    source       text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
