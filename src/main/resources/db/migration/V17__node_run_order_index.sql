-- The reconcile reads a rollout's node runs in wave and position order, as plain columns: one index walk.
CREATE INDEX node_run_rollout_order ON node_run (rollout_id, wave_index, position);
