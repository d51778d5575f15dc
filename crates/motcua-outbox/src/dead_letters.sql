-- Dead letters (see crates/motcua-outbox): a delivery to a destination with bounded attempts
-- that spent them stops being retried and no longer holds back later events of its subject.
ALTER TABLE outbox_delivery ADD COLUMN dead_at timestamptz;
CREATE INDEX outbox_delivery_dead ON outbox_delivery (destination) WHERE dead_at IS NOT NULL;
