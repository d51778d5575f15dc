-- Reporting schema: one fact row per received dossier, fed by events, and the idempotent inbox.

-- A dossier as reporting knows it (sổ theo dõi hồ sơ); counted once however often its
-- event is delivered.
CREATE TABLE dossier_fact (
    dossier_code      text PRIMARY KEY,
    procedure_code    text        NOT NULL,
    receiving_agency  text        NOT NULL,
    channel           text        NOT NULL,
    received_at       timestamptz NOT NULL,
    received_day      date        NOT NULL,
    due_at            timestamptz NOT NULL,
    -- Latest status (national code) and when processing finished / the result went back.
    status            text        NOT NULL DEFAULT 'received',
    status_code       smallint    NOT NULL DEFAULT 2,
    supplement_requested boolean  NOT NULL DEFAULT false,
    resolved_at       timestamptz,
    returned_at       timestamptz,
    updated_at        timestamptz
);
CREATE INDEX dossier_fact_day ON dossier_fact (received_day, receiving_agency);

-- Idempotent inbox (see crates/motcua-outbox): one row per event id applied.
CREATE TABLE inbox_event (
    event_id     uuid PRIMARY KEY,
    event_type   text        NOT NULL,
    source       text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
