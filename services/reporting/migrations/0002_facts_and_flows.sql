-- Reporting facts (everything the reports need about each dossier, its steps, its rating and
-- the compliance events) and the daily and monthly flows the handling report sums.
-- The flows are derived: `motcua reporting rebuild` recomputes them from the facts.

ALTER TABLE dossier_fact
    ADD COLUMN field            text        NOT NULL DEFAULT '',
    ADD COLUMN level            text        NOT NULL DEFAULT '',
    ADD COLUMN submitted_by     text        NOT NULL DEFAULT '',
    ADD COLUMN paper_components boolean     NOT NULL DEFAULT false,
    -- The appointment on the receipt; `due_at` is the appointment as last moved.
    ADD COLUMN due_initial      timestamptz,
    ADD COLUMN reappointed_at   timestamptz,
    -- How the dossier ended (`resolved`, `refused`, `withdrawn`, `stopped`), when, and judged
    -- against `due_at` (`early`, `on_time`, `late`).
    ADD COLUMN ending           text,
    ADD COLUMN finished_at      timestamptz,
    ADD COLUMN timeliness       text,
    -- The applicant's waits: [{reason, from, to}] (local days), and their working minutes.
    ADD COLUMN waits            jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN paused_minutes   bigint      NOT NULL DEFAULT 0,
    -- Who holds it now (from workflow's alerts), for the overdue report.
    ADD COLUMN holding_agency   text;
UPDATE dossier_fact SET due_initial = due_at WHERE due_initial IS NULL;
CREATE INDEX dossier_fact_open ON dossier_fact (due_at) WHERE finished_at IS NULL;

-- Every status a dossier went through (lịch sử trạng thái), once per event.
CREATE TABLE dossier_status_fact (
    event_id     uuid PRIMARY KEY,
    dossier_code text        NOT NULL,
    at           timestamptz NOT NULL,
    from_status  text        NOT NULL,
    to_status    text        NOT NULL,
    status_code  smallint    NOT NULL
);
CREATE INDEX dossier_status_fact_dossier ON dossier_status_fact (dossier_code, at);

-- Steps, for attributing lateness to the agency responsible (one row per workflow task).
CREATE TABLE step_fact (
    task_id          uuid PRIMARY KEY,
    dossier_code     text        NOT NULL,
    step             text        NOT NULL,
    agency           text        NOT NULL,
    deadline         timestamptz,
    outcome          text,
    completed_at     timestamptz,
    timeliness       text,
    lateness_minutes bigint,
    -- Latest deadline alert: `near_due` or `overdue`, and when.
    alert            text,
    alerted_at       timestamptz
);
CREATE INDEX step_fact_dossier ON step_fact (dossier_code);
CREATE INDEX step_fact_alerted ON step_fact (agency) WHERE alert IS NOT NULL AND completed_at IS NULL;

-- Rule violations attempted or detected (intake's `compliance.recorded`, workflow's
-- `case.late_without_apology`), once per event.
CREATE TABLE compliance_fact (
    event_id     uuid PRIMARY KEY,
    kind         text        NOT NULL,
    at           timestamptz NOT NULL,
    agency       text,
    dossier_code text,
    actor        text,
    detail       jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX compliance_fact_at ON compliance_fact (at);

-- The handling report's flows (II.06a): per local day (and per month, the first day of the
-- month as key) and per receiving agency and procedure, what entered, what ended and how
-- each stock (in progress, overdue, waiting for the applicant) moved.
CREATE TABLE handling_flow_day (
    day               date   NOT NULL,
    agency            text   NOT NULL,
    procedure_code    text   NOT NULL,
    field             text   NOT NULL,
    level             text   NOT NULL,
    received_online   bigint NOT NULL DEFAULT 0,
    received_direct   bigint NOT NULL DEFAULT 0,
    resolved_early    bigint NOT NULL DEFAULT 0,
    resolved_on_time  bigint NOT NULL DEFAULT 0,
    resolved_late     bigint NOT NULL DEFAULT 0,
    refused           bigint NOT NULL DEFAULT 0,
    withdrawn         bigint NOT NULL DEFAULT 0,
    stopped           bigint NOT NULL DEFAULT 0,
    open_delta        bigint NOT NULL DEFAULT 0,
    overdue_delta     bigint NOT NULL DEFAULT 0,
    waiting_supplement_delta bigint NOT NULL DEFAULT 0,
    waiting_financial_delta  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agency, procedure_code, field, level)
);
CREATE TABLE handling_flow_month (LIKE handling_flow_day INCLUDING ALL);
