-- The health checks the plan asks for on this node's wave (beyond the basic ones), frozen at start.
ALTER TABLE node_run ADD COLUMN checks JSONB NOT NULL DEFAULT '[]'::jsonb;
