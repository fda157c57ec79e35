-- Each wave of a rollout: its phase, when it started, soaked and ended, and who approved it.
CREATE TABLE rollout_wave (
    id               BIGSERIAL    PRIMARY KEY,
    rollout_id       BIGINT       NOT NULL REFERENCES rollout (id),
    wave_index       INTEGER      NOT NULL,
    name             VARCHAR(63)  NOT NULL,
    nodes            INTEGER      NOT NULL,
    phase            VARCHAR(20)  NOT NULL,
    started_at       TIMESTAMPTZ,
    soak_started_at  TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    approved_by      VARCHAR(128),
    approved_at      TIMESTAMPTZ,
    UNIQUE (rollout_id, wave_index)
);
