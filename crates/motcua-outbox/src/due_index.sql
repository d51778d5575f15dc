-- The relay's claim (see crates/motcua-outbox): each destination's due deliveries in the order
-- they were recorded, read from the front of this index, so a claim costs the same with a
-- backlog of fifty thousand as with none, whatever the planner's statistics say.
CREATE INDEX outbox_delivery_due ON outbox_delivery (destination, seq)
    WHERE delivered_at IS NULL AND dead_at IS NULL;
