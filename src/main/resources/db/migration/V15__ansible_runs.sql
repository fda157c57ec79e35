-- The ansible method's playbook runs, findable by every replica: which replica runs a job, its heartbeat while the
-- process lives, and its outcome once it ended. A replica taking a rollout over follows a run another replica still
-- runs, reads the outcome of one that ended, and starts again only a run whose replica is gone (no heartbeat).
CREATE TABLE ansible_run (
    job_id        VARCHAR(64)  PRIMARY KEY,
    host          VARCHAR(253) NOT NULL,
    replica       VARCHAR(128) NOT NULL,
    started_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    heartbeat_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    finished_at   TIMESTAMPTZ,
    exit_status   INTEGER,
    outcome       TEXT
);
