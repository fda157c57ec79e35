-- Fleet inventory: every node any inventory source has reported, kept across restarts.
CREATE TABLE fleet_node (
    name           VARCHAR(253) PRIMARY KEY,
    address        VARCHAR(253) NOT NULL,
    ssh_port       INTEGER      NOT NULL DEFAULT 22,
    ssh_user       VARCHAR(64),
    labels         JSONB        NOT NULL DEFAULT '{}'::jsonb,
    gpu_vendor     VARCHAR(32)  NOT NULL DEFAULT 'nvidia',
    gpu_model      VARCHAR(128) NOT NULL DEFAULT 'unknown',
    gpu_count      INTEGER      NOT NULL DEFAULT 0,
    nvswitch       BOOLEAN      NOT NULL DEFAULT FALSE,
    versions       JSONB        NOT NULL DEFAULT '{}'::jsonb,
    available      BOOLEAN      NOT NULL DEFAULT TRUE,
    source         VARCHAR(64)  NOT NULL,
    present        BOOLEAN      NOT NULL DEFAULT TRUE,
    first_seen_at  TIMESTAMPTZ  NOT NULL,
    last_seen_at   TIMESTAMPTZ  NOT NULL
);

CREATE INDEX fleet_node_present ON fleet_node (present);
