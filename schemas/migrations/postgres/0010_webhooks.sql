-- Webhooks (infra/src/webhooks.rs, ADR 0014). None of these tables is a projection: they are the
-- dispatcher's own state, kept beside its checkpoint.

-- Signing secrets. Never in an event (the log goes to Kafka and to auditors); a rotation adds a
-- version and the previous one keeps signing until it expires.
CREATE TABLE IF NOT EXISTS webhook_secrets (
    webhook_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    tenant_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (webhook_id, version)
);

-- The endpoints as of the dispatcher's checkpoint (folded from webhook.* events in log order, in
-- the transaction that moves the checkpoint).
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    webhook_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    active BIGINT NOT NULL,
    deleted BIGINT NOT NULL DEFAULT 0,
    secret_version BIGINT NOT NULL,
    previous_valid_until TEXT
);
CREATE INDEX IF NOT EXISTS webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id);

-- One row per (endpoint, event): created with the checkpoint's move, so none is lost or doubled.
-- Its id is derived from the endpoint and the event (so it is the uniqueness of the pair) and is
-- the `webhook-id` header of every attempt.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    delivery_id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    position BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempt BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_until TEXT,
    response_status BIGINT,
    response_body TEXT,
    response_time_ms BIGINT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'retrying');
CREATE INDEX IF NOT EXISTS webhook_deliveries_list ON webhook_deliveries (webhook_id, position);

-- Per endpoint counters, updated with every attempt's outcome.
CREATE TABLE IF NOT EXISTS webhook_stats (
    webhook_id TEXT PRIMARY KEY,
    success_count BIGINT NOT NULL DEFAULT 0,
    failure_count BIGINT NOT NULL DEFAULT 0,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    failing_since TEXT,
    last_delivery_at TEXT
);
