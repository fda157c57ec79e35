-- The transaction that recorded each event. Event ids come from a sequence while many transactions insert at once,
-- so a lower id can commit after a higher one; readers that follow the log take only events of transactions that
-- are over (below the oldest running one) and order them by (tx, id), which no later commit can come before.
ALTER TABLE rollout_event ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX rollout_event_follow ON rollout_event (rollout_id, tx, id);
CREATE INDEX rollout_event_follow_all ON rollout_event (tx, id);
