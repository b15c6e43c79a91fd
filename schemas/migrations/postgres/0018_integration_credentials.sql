-- Integrations (issue 26): a connected Stripe account's API key and webhook signing secret.
-- Never in an event (the log goes to Kafka and to auditors); an event names each by a random id
-- and a short hint. Removing the integration deletes its rows.
CREATE TABLE IF NOT EXISTS integration_credentials (
    integration_id TEXT NOT NULL,
    credential_id BIGINT NOT NULL,
    workspace_id TEXT NOT NULL,
    -- `api_key` or `webhook_secret`
    kind TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (integration_id, credential_id)
);
