-- Online payment of financial obligations (thanh toán trực tuyến, docs/payments.md): the payment
-- orders sent to the gateway and every notification the gateway sent back.

-- A payment order (lệnh thanh toán): the obligation's items and their sum, payable until
-- `expires_at`; paid once, by one gateway transaction.
CREATE TABLE payment_order (
    id                      uuid PRIMARY KEY,
    dossier_code            text        NOT NULL REFERENCES dossier (code),
    amount_vnd              bigint      NOT NULL CHECK (amount_vnd > 0),
    items                   jsonb       NOT NULL,
    status                  text        NOT NULL CHECK (status IN ('pending', 'paid', 'expired', 'failed')),
    -- The obligation it pays: when the dossier's clock stopped for it.
    obligation_at           timestamptz NOT NULL,
    created_at              timestamptz NOT NULL,
    expires_at              timestamptz NOT NULL,
    created_by              text        NOT NULL,
    gateway_transaction_id  text UNIQUE,
    paid_at                 timestamptz,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'paid') = (gateway_transaction_id IS NOT NULL AND paid_at IS NOT NULL))
);
CREATE INDEX payment_order_dossier ON payment_order (dossier_code, created_at);
CREATE INDEX payment_order_due ON payment_order (expires_at) WHERE status = 'pending';

-- Every notification received from the gateway (nhật ký thông báo thanh toán), written before it
-- is acted on: its fields as received, whether its signature verified, and what came of it.
CREATE TABLE payment_callback (
    id               bigserial PRIMARY KEY,
    received_at      timestamptz NOT NULL,
    order_id         text        NOT NULL,
    transaction_id   text        NOT NULL,
    status           text        NOT NULL,
    amount_vnd       bigint      NOT NULL,
    body             jsonb       NOT NULL,
    signature_valid  boolean     NOT NULL,
    -- `received` until decided; then `paid`, `paid_dossier_not_waiting`, `failed`, `duplicate`,
    -- `ignored`, or the problem code it was refused with (`payment_signature_invalid`, …).
    outcome          text        NOT NULL,
    request_id       text
);
CREATE INDEX payment_callback_order ON payment_callback (order_id, id);
