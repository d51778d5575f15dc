-- Signed webhooks to sector systems (issue 11): who subscribed to which events of which
-- agency and sector, and every delivery, recorded in the transaction of the change it reports.

CREATE TABLE webhook_subscription (
    id                    uuid PRIMARY KEY,
    owner_sub             text        NOT NULL,
    -- NULL: an admin's, province-wide
    owner_agency          text,
    -- NULL: every sector of the agency
    owner_sector          text,
    url                   text        NOT NULL,
    event_types           text[]      NOT NULL,
    -- base64 of the key bytes (the part after `whsec_`)
    secret                text        NOT NULL,
    -- the secret before the last rotation, still signing until previous_valid_until
    previous_secret       text,
    previous_valid_until  timestamptz,
    created_at            timestamptz NOT NULL,
    deleted_at            timestamptz
);
CREATE INDEX webhook_subscription_owner ON webhook_subscription (owner_sub, id) WHERE deleted_at IS NULL;
CREATE INDEX webhook_subscription_agency ON webhook_subscription (owner_agency) WHERE deleted_at IS NULL;

CREATE TABLE webhook_delivery (
    -- the `webhook-id` header: the same on every retry
    id               uuid PRIMARY KEY,
    subscription_id  uuid        NOT NULL REFERENCES webhook_subscription (id),
    -- deliveries of one dossier to one subscription go in order
    dossier_code     text        NOT NULL,
    event_type       text        NOT NULL,
    -- the exact bytes signed and sent
    body             text        NOT NULL,
    seq              bigserial   NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    -- due then; while a dispatcher holds it, the end of its lease
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    dead_at          timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX webhook_delivery_order ON webhook_delivery (subscription_id, dossier_code, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX webhook_delivery_dead ON webhook_delivery (id) WHERE dead_at IS NOT NULL;
