-- Workflow: honest step clocks, forwarding, overdue and near-due alerts, apology and
-- extension (form 04), succession. See docs/architecture.md and shared/domain.md §5–§6.

-- The case: forwarding (after the cut-off: the next working day), the applicant's wait, the
-- main clock stopped by a step that pauses it (the tax authority's step in land flows).
ALTER TABLE dossier_case
    ADD COLUMN forward_at            timestamptz,
    ADD COLUMN forward_due           timestamptz,
    ADD COLUMN forwarded_at          timestamptz,
    ADD COLUMN paused_at             timestamptz,
    ADD COLUMN main_clock_paused_at  timestamptz,
    ADD COLUMN paper                 boolean NOT NULL DEFAULT false;
CREATE INDEX dossier_case_to_forward ON dossier_case (forward_at) WHERE forwarded_at IS NULL;

-- A step: its clock stops while the case waits (paused_at) and its deadline then moves by the
-- working time waited (paused_minutes in all); a late step records by how much.
ALTER TABLE task
    ADD COLUMN claimed_at            timestamptz,
    ADD COLUMN paused_at             timestamptz,
    ADD COLUMN paused_minutes        bigint  NOT NULL DEFAULT 0,
    ADD COLUMN pauses_main_clock     boolean NOT NULL DEFAULT false,
    ADD COLUMN lateness_minutes      bigint,
    ADD COLUMN supplement_requested_at timestamptz;
CREATE INDEX task_due ON task (due_at) WHERE state IN ('open', 'claimed');
CREATE INDEX task_open_agency ON task (agency) WHERE state IN ('pending', 'open', 'claimed');

-- Why a row of the control slip was written (forwarding, a step's handover, return for
-- supplement, the supplement back, a successor taking over, a refusal).
ALTER TABLE handover ADD COLUMN reason text NOT NULL DEFAULT 'handover';

-- Each pause of a step's clock and how far it moved the step's deadline (recorded event).
CREATE TABLE step_pause (
    id             bigserial PRIMARY KEY,
    task_id        uuid        NOT NULL REFERENCES task (id),
    paused_at      timestamptz NOT NULL,
    resumed_at     timestamptz NOT NULL,
    working_minutes bigint     NOT NULL,
    due_before     timestamptz NOT NULL,
    due_after      timestamptz NOT NULL,
    reason         text        NOT NULL
);

-- Near-due and overdue marks, once each per step or dossier (held by the primary key, so two
-- workers never mark or announce twice); also a dossier gone late without an apology.
CREATE TABLE deadline_alert (
    subject_kind  text        NOT NULL CHECK (subject_kind IN ('task', 'case')),
    subject_id    uuid        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('near_due', 'overdue', 'late_without_apology')),
    dossier_code  text        NOT NULL,
    agency        text        NOT NULL,
    deadline      timestamptz NOT NULL,
    marked_at     timestamptz NOT NULL,
    PRIMARY KEY (subject_kind, subject_id, kind)
);
CREATE INDEX deadline_alert_agency ON deadline_alert (agency, kind);

-- The apology and re-appointment (phiếu xin lỗi và hẹn lại, form 04): one per dossier.
CREATE TABLE extension (
    dossier_code  text PRIMARY KEY,
    case_id       uuid        NOT NULL REFERENCES dossier_case (id),
    granted_at    timestamptz NOT NULL,
    granted_by    text        NOT NULL,
    agency        text        NOT NULL,
    reason        text        NOT NULL,
    due_before    timestamptz NOT NULL,
    due_after     timestamptz NOT NULL
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
