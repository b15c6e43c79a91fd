-- Alerts (issue 22). What never enters the log: a Slack-compatible URL (a credential, like a
-- webhook secret) and how each channel was told of a firing or resolution.
CREATE TABLE alert_slack_urls (
    alert_id      TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL,
    url           TEXT NOT NULL
);
CREATE TABLE alert_notifications (
    event_id      TEXT NOT NULL,
    channel       TEXT NOT NULL,
    -- '' for channels other than a webhook
    webhook_id    TEXT NOT NULL DEFAULT '',
    delivery_id   TEXT,
    recipients    BIGINT,
    status        TEXT NOT NULL,
    error         TEXT,
    at            TEXT NOT NULL,
    PRIMARY KEY (event_id, channel, webhook_id)
);
