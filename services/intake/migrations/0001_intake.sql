-- Intake schema: dossiers as received at the one-stop, their components and files, the daily
-- code sequence, idempotency keys, compliance events, and the transactional outbox.

-- A received dossier (hồ sơ). `code` never changes after issue.
CREATE TABLE dossier (
    code               text PRIMARY KEY,
    procedure_code     text        NOT NULL,
    procedure_version  integer     NOT NULL,
    receiving_agency   text        NOT NULL,
    channel            text        NOT NULL CHECK (channel IN ('counter', 'online', 'postal')),
    status             text        NOT NULL,
    status_code        smallint    NOT NULL CHECK (status_code BETWEEN 1 AND 10),
    applicant          jsonb       NOT NULL,
    applicant_id_last4 text        NOT NULL,
    received_at        timestamptz NOT NULL,
    due_at             timestamptz NOT NULL,
    due_provisional    boolean     NOT NULL DEFAULT false,
    submitted_by       text        NOT NULL,
    submitted_roles    text[]      NOT NULL,
    -- The procedure's time limit and clock policy, as they were at receipt.
    time_limit         jsonb       NOT NULL,
    clock_policy       text        NOT NULL CHECK (clock_policy IN ('restart', 'pause', 'continue')),
    -- While waiting for the applicant: when the clock stopped and where the dossier returns.
    clock_paused_at    timestamptz,
    resume_status      text,
    -- Workflow finished while the dossier was waiting (supplement, payment): on resuming, the
    -- dossier goes straight to processed.
    case_completed_at  timestamptz,
    -- The procedure's case (trường hợp) the dossier falls under, if any.
    case_code          text,
    -- Form 01 as issued.
    receipt            jsonb       NOT NULL,
    trace_id           text,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_agency_received ON dossier (receiving_agency, received_at);

-- One component as submitted (thành phần hồ sơ), with its form.
CREATE TABLE dossier_component (
    dossier_code    text    NOT NULL REFERENCES dossier (code),
    position        integer NOT NULL,
    component_code  text    NOT NULL,
    form            text    NOT NULL CHECK (form IN ('electronic', 'paper', 'scanned')),
    -- not_required (electronic), pending (paper, to be scanned), done (scanned).
    scan_status     text    NOT NULL CHECK (scan_status IN ('not_required', 'pending', 'done')),
    -- 0 at receipt, 1 for the applicant's supplement.
    round           smallint NOT NULL DEFAULT 0,
    originals       integer,
    copies          integer,
    PRIMARY KEY (dossier_code, position)
);

-- The supplement request (phiếu yêu cầu bổ sung, form 02): at most one per dossier, enforced
-- by the primary key.
CREATE TABLE supplement_request (
    dossier_code          text PRIMARY KEY REFERENCES dossier (code),
    requested_at          timestamptz NOT NULL,
    requested_by          text        NOT NULL,
    items                 jsonb       NOT NULL,
    deadline_at           timestamptz NOT NULL,
    deadline_provisional  boolean     NOT NULL,
    due_before            timestamptz NOT NULL,
    answered_at           timestamptz,
    answered_by           text,
    due_after             timestamptz,
    expired_at            timestamptz
);
CREATE INDEX supplement_request_open ON supplement_request (deadline_at)
    WHERE answered_at IS NULL AND expired_at IS NULL;

-- Every state change of a dossier (lịch sử xử lý): who, what, when, before/after.
CREATE TABLE dossier_history (
    id            bigserial PRIMARY KEY,
    dossier_code  text        NOT NULL REFERENCES dossier (code),
    at            timestamptz NOT NULL,
    action        text        NOT NULL,
    actor         text        NOT NULL,
    from_status   text,
    to_status     text        NOT NULL,
    detail        jsonb       NOT NULL DEFAULT '{}',
    request_id    text
);
CREATE INDEX dossier_history_code ON dossier_history (dossier_code, id);

-- Documents issued to the applicant: refusal (form 03), stop notice (form 05), result hand-back.
CREATE TABLE dossier_document (
    id            bigserial PRIMARY KEY,
    dossier_code  text        NOT NULL REFERENCES dossier (code),
    kind          text        NOT NULL,
    issued_at     timestamptz NOT NULL,
    issued_by     text        NOT NULL,
    body          jsonb       NOT NULL
);

-- Content-addressed file store: one row per distinct content (sha256), kept forever.
CREATE TABLE file_blob (
    sha256      text PRIMARY KEY,
    size        bigint NOT NULL,
    content     bytea  NOT NULL,
    stored_at   timestamptz NOT NULL DEFAULT now()
);

-- A file attached to a component.
CREATE TABLE dossier_file (
    dossier_code  text    NOT NULL,
    position      integer NOT NULL,
    file_index    integer NOT NULL,
    name          text    NOT NULL,
    media_type    text    NOT NULL,
    sha256        text    NOT NULL REFERENCES file_blob (sha256),
    PRIMARY KEY (dossier_code, position, file_index),
    FOREIGN KEY (dossier_code, position) REFERENCES dossier_component (dossier_code, position)
);

-- Daily sequence of dossier codes per receiving agency (Circular 01/2018 Art. 19).
CREATE TABLE dossier_sequence (
    agency  text    NOT NULL,
    day     date    NOT NULL,
    last    integer NOT NULL,
    PRIMARY KEY (agency, day)
);

-- Idempotency-Key of creating POSTs: same key and body give the original response.
CREATE TABLE idempotency_key (
    caller        text        NOT NULL,
    key           text        NOT NULL,
    request_hash  text        NOT NULL,
    status        smallint,
    response      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);

-- Attempts or detections of rule violations (submission outside the one-stop, …).
CREATE TABLE compliance_event (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    kind        text        NOT NULL,
    actor       text        NOT NULL,
    agency      text,
    detail      jsonb       NOT NULL,
    request_id  text
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

-- Idempotent inbox for events from workflow (case opened, case completed).
CREATE TABLE inbox_event (
    event_id     uuid PRIMARY KEY,
    event_type   text        NOT NULL,
    source       text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
