-- Agency heads' notices (crates/motcua-notify/src/notice.sql) and outbox dead letters
-- (crates/motcua-outbox/src/dead_letters.sql), both verbatim.

-- Dead letters (see crates/motcua-outbox): a delivery to a destination with bounded attempts
-- that spent them stops being retried and no longer holds back later events of its subject.
ALTER TABLE outbox_delivery ADD COLUMN dead_at timestamptz;
CREATE INDEX outbox_delivery_dead ON outbox_delivery (destination) WHERE dead_at IS NOT NULL;

-- Notices (thông báo) to applicants and agency heads (see crates/motcua-notify).
CREATE TABLE notice (
    id               uuid PRIMARY KEY,
    -- What caused it (the event id, or the alert's key): one notice per cause, channel and recipient.
    event_key        text        NOT NULL,
    dossier_code     text,
    template         text        NOT NULL,
    channel          text        NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient        text        NOT NULL,
    subject          text        NOT NULL,
    body             text        NOT NULL,
    -- pending → sent | failed (attempts exhausted) | unsent (no transport configured)
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'failed', 'unsent')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_key, channel, recipient)
);
CREATE INDEX notice_due ON notice (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notice_recipient_pending ON notice (recipient, channel, id) WHERE status = 'pending';
CREATE INDEX notice_dossier ON notice (dossier_code, created_at);
