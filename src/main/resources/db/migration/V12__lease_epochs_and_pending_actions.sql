-- Fencing: a replica that takes a rollout's lease (not one renewing its own) gets a new epoch from this sequence. A
-- node step, a wave check and a rollout-level change commit only while their replica still holds the lease with the
-- epoch they were dispatched under, checked in the same transaction.
CREATE SEQUENCE engine_lease_epoch;
ALTER TABLE engine_lease ADD COLUMN epoch BIGINT NOT NULL DEFAULT nextval('engine_lease_epoch');

-- Intent before action: a host action (the install's start, a reset, a heavy check's start) is committed with its
-- event before it is carried out, and named here until its outcome is committed. A node run found with one after a
-- restart is reconciled with what the host shows (the install found running, the node not rebooted).
ALTER TABLE node_run ADD COLUMN pending_action VARCHAR(16);
