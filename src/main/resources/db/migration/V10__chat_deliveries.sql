-- Chat requests that change state, taken once: a Slack command's trigger_id, a button click's trigger_id and
-- action_ts, a Mattermost command's trigger_id (or its body's hash when it has none). A replay within the window
-- (5 minutes, Slack's signature window) changes nothing.
CREATE TABLE chat_delivery (
    delivery_key VARCHAR(200) PRIMARY KEY,
    received_at  TIMESTAMPTZ NOT NULL
);
