-- The gRPC sector connector (issue 11): which steps each sector system's account was offered
-- on its stream and which it acknowledged. A step acknowledged is never offered to the account
-- again; one offered and not acknowledged is offered again on its next stream (resumption).

CREATE SEQUENCE connector_offer_seq;

CREATE TABLE connector_offer (
    -- the account: its token's `sub`
    account     text        NOT NULL,
    task_id     uuid        NOT NULL REFERENCES task (id),
    -- position in the account's stream (increasing; kept when offered again)
    offer       bigint      NOT NULL DEFAULT nextval('connector_offer_seq'),
    offered_at  timestamptz NOT NULL,
    -- NULL until the account's `AckTask`
    acked_at    timestamptz,
    PRIMARY KEY (account, task_id)
);

-- What a stream looks for: the open steps of an agency, oldest first.
CREATE INDEX task_open_by_age ON task (agency, opened_at, id) WHERE state IN ('open', 'claimed');
