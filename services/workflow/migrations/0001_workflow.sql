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
    trace_id           text,
    -- open | paused (waiting for the applicant) | completed (result at the one-stop) | closed
    closed_reason      text,
    completed_at       timestamptz,
    closed_at          timestamptz
);

-- One step of the case's process at one agency (bước xử lý), from the procedure's template.
-- Steps of one block run in parallel; blocks run in order.
CREATE TABLE task (
    id              uuid PRIMARY KEY,
    case_id         uuid        NOT NULL REFERENCES dossier_case (id),
    dossier_code    text        NOT NULL,
    position        integer     NOT NULL,
    block           integer     NOT NULL,
    name            text        NOT NULL,
    agency          text        NOT NULL,
    sector          text,
    -- receive / return steps at the one-stop, processing steps at agencies
    kind            text        NOT NULL CHECK (kind IN ('receive', 'process', 'return')),
    budget_minutes  bigint      NOT NULL,
    state           text        NOT NULL CHECK (state IN ('pending', 'open', 'claimed', 'done', 'cancelled')),
    claimed_by      text,
    opened_at       timestamptz,
    due_at          timestamptz,
    completed_at    timestamptz,
    completed_by    text,
    outcome         text,
    note            text,
    timeliness      text CHECK (timeliness IN ('early', 'on_time', 'late')),
    UNIQUE (case_id, position)
);
CREATE INDEX task_inbox ON task (agency, state) WHERE state IN ('open', 'claimed');

-- The processing control slip (phiếu kiểm soát quá trình giải quyết, Circular 03/2025 form 06):
-- one row per handover, with the step's result against its deadline.
CREATE TABLE handover (
    id             bigserial PRIMARY KEY,
    dossier_code   text        NOT NULL,
    task_id        uuid        REFERENCES task (id),
    at             timestamptz NOT NULL,
    from_agency    text        NOT NULL,
    from_person    text,
    to_agency      text        NOT NULL,
    to_person      text,
    step_name      text        NOT NULL,
    step_deadline  timestamptz,
    result         text CHECK (result IN ('early', 'on_time', 'late'))
);
CREATE INDEX handover_dossier ON handover (dossier_code, id);

-- Idempotent inbox (see crates/motcua-outbox): one row per event id applied.
CREATE TABLE inbox_event (
    event_id     uuid PRIMARY KEY,
    event_type   text        NOT NULL,
    source       text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- Transactional outbox (see crates/motcua-outbox).
CREATE TABLE outbox_event (
    id           uuid PRIMARY KEY,
    event_type   text        NOT NULL,
    subject      text        NOT NULL,
    payload      jsonb       NOT NULL,
    occurred_at  timestamptz NOT NULL,
    traceparent  text,
    request_id   text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox_delivery (
    event_id         uuid        NOT NULL REFERENCES outbox_event (id),
    destination      text        NOT NULL,
    -- The event's subject: deliveries of one subject to one destination go in order.
    subject          text        NOT NULL,
    seq              bigserial   NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    last_error       text,
    PRIMARY KEY (event_id, destination)
);

CREATE INDEX outbox_delivery_pending ON outbox_delivery (seq) WHERE delivered_at IS NULL;
CREATE INDEX outbox_delivery_order ON outbox_delivery (destination, subject, seq) WHERE delivered_at IS NULL;
