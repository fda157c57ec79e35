-- The wave-level XID scan's progress: each node's verdict is committed as soon as it is scanned, so a restart
-- scans only the nodes left. The rows of a stage are deleted when the stage's verdict is committed.
CREATE TABLE wave_scan_result (
    rollout_id   BIGINT       NOT NULL REFERENCES rollout (id),
    wave_index   INTEGER      NOT NULL,
    stage        VARCHAR(16)  NOT NULL,
    node_run_id  BIGINT       NOT NULL,
    outcome      JSONB        NOT NULL,
    scanned_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (rollout_id, wave_index, stage, node_run_id)
);
