-- Satisfaction and feedback (đánh giá sự hài lòng, phản ánh kiến nghị), and the idempotency
-- keys of their creating POSTs.

-- The applicant's rating of a returned dossier, on SIPAS's five dimensions (1–5 each), once.
CREATE TABLE dossier_rating (
    dossier_code      text PRIMARY KEY,
    rated_by          text        NOT NULL,
    rated_at          timestamptz NOT NULL,
    access            smallint    NOT NULL CHECK (access BETWEEN 1 AND 5),
    procedure         smallint    NOT NULL CHECK (procedure BETWEEN 1 AND 5),
    officials         smallint    NOT NULL CHECK (officials BETWEEN 1 AND 5),
    result            smallint    NOT NULL CHECK (result BETWEEN 1 AND 5),
    feedback_handling smallint    NOT NULL CHECK (feedback_handling BETWEEN 1 AND 5),
    unsatisfied       boolean     NOT NULL,
    comment           text
);

-- Feedback and petitions (phản ánh, kiến nghị), each answered by the agency concerned within
-- ten working days.
CREATE TABLE feedback (
    id             uuid PRIMARY KEY,
    agency         text        NOT NULL,
    dossier_code   text,
    filed_by       text        NOT NULL,
    content        text        NOT NULL,
    contact        text,
    received_at    timestamptz NOT NULL,
    answer_due     timestamptz NOT NULL,
    answer         text,
    answered_by    text,
    answered_at    timestamptz,
    -- The filer's verdict on the answer: true satisfied, false unsatisfied.
    satisfied      boolean
);
CREATE INDEX feedback_agency ON feedback (agency, received_at);
CREATE INDEX feedback_dossier ON feedback (dossier_code) WHERE dossier_code IS NOT NULL;
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
