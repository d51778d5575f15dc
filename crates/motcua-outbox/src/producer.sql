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
