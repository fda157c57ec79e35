-- Rollouts: one run of a plan, frozen at start (plan text and hash, node set, each node's previous versions).
CREATE TABLE rollout (
    id               BIGSERIAL    PRIMARY KEY,
    plan_name        VARCHAR(63)  NOT NULL,
    plan_text        TEXT         NOT NULL,
    plan_sha256      CHAR(64)     NOT NULL,
    state            VARCHAR(20)  NOT NULL,
    current_wave     INTEGER      NOT NULL DEFAULT 0,
    wave_phase       VARCHAR(20)  NOT NULL,
    phase_since      TIMESTAMPTZ  NOT NULL,
    abort_requested  BOOLEAN      NOT NULL DEFAULT FALSE,
    halt_reason      TEXT,
    started_by       VARCHAR(128) NOT NULL,
    idempotency_key  VARCHAR(128) UNIQUE,
    pool             JSONB        NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    updated_at       TIMESTAMPTZ  NOT NULL,
    finished_at      TIMESTAMPTZ,
    version          BIGINT       NOT NULL DEFAULT 0
);

CREATE INDEX rollout_unfinished ON rollout (state) WHERE finished_at IS NULL;

-- One node's way through one rollout.
CREATE TABLE node_run (
    id                   BIGSERIAL    PRIMARY KEY,
    rollout_id           BIGINT       NOT NULL REFERENCES rollout (id),
    node_name            VARCHAR(253) NOT NULL,
    wave_index           INTEGER      NOT NULL,
    position             INTEGER      NOT NULL,
    state                VARCHAR(20)  NOT NULL,
    direction            VARCHAR(10)  NOT NULL DEFAULT 'FORWARD',
    rollback_pending     BOOLEAN      NOT NULL DEFAULT FALSE,
    previous_versions    JSONB        NOT NULL,
    target_versions      JSONB        NOT NULL,
    facts                JSONB        NOT NULL,
    baseline_boot_id     VARCHAR(64),
    baseline_gpu_count   INTEGER,
    reboot_requested_at  TIMESTAMPTZ,
    mismatch_reboots     INTEGER      NOT NULL DEFAULT 0,
    job_id               VARCHAR(64),
    attempts             INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at      TIMESTAMPTZ  NOT NULL,
    step_started_at      TIMESTAMPTZ,
    failure_class        VARCHAR(10),
    failure_signature    VARCHAR(128),
    last_error           TEXT,
    started_at           TIMESTAMPTZ,
    finished_at          TIMESTAMPTZ,
    active               BOOLEAN      NOT NULL DEFAULT TRUE,
    version              BIGINT       NOT NULL DEFAULT 0
);

CREATE INDEX node_run_rollout ON node_run (rollout_id);
-- A node is in at most one unfinished rollout.
CREATE UNIQUE INDEX node_run_one_active_rollout ON node_run (node_name) WHERE active;

CREATE TABLE check_result (
    id           BIGSERIAL    PRIMARY KEY,
    node_run_id  BIGINT       NOT NULL REFERENCES node_run (id),
    check_name   VARCHAR(64)  NOT NULL,
    direction    VARCHAR(10)  NOT NULL,
    status       VARCHAR(10)  NOT NULL,
    summary      TEXT         NOT NULL,
    figures      JSONB        NOT NULL DEFAULT '{}'::jsonb,
    raw_output   TEXT,
    at           TIMESTAMPTZ  NOT NULL
);

CREATE INDEX check_result_node_run ON check_result (node_run_id);

-- The audit trail and live timeline: every command and every transition.
CREATE TABLE rollout_event (
    id          BIGSERIAL    PRIMARY KEY,
    rollout_id  BIGINT       NOT NULL REFERENCES rollout (id),
    node_name   VARCHAR(253),
    at          TIMESTAMPTZ  NOT NULL,
    actor       VARCHAR(128) NOT NULL,
    kind        VARCHAR(40)  NOT NULL,
    message     TEXT         NOT NULL
);

CREATE INDEX rollout_event_rollout ON rollout_event (rollout_id, id);

-- Which replica drives which rollout, until when.
CREATE TABLE engine_lease (
    rollout_id  BIGINT       PRIMARY KEY REFERENCES rollout (id),
    owner       VARCHAR(128) NOT NULL,
    expires_at  TIMESTAMPTZ  NOT NULL
);
