-- The ssh method's package manager per node run (apt or dnf), frozen from the plan at start.
ALTER TABLE node_run ADD COLUMN package_manager VARCHAR(10) NOT NULL DEFAULT 'apt';
