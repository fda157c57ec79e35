-- Notifications at least once: the notifier moves its cursor and writes what each sink is to get here in one
-- transaction; a row leaves only once its sink took it (or after waveline.notify.attempts tries). A replica that
-- dies while sending leaves its rows claimed until claimed_until; then any replica sends them.
CREATE TABLE notification_outbox (
    sink             VARCHAR(512) NOT NULL,
    event_id         BIGINT       NOT NULL,
    notification     JSONB        NOT NULL,
    attempts         INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    claimed_until    TIMESTAMPTZ,
    PRIMARY KEY (sink, event_id)
);
