-- Webhook delivery runs (infra/src/webhooks/, ADR 0015). The fan-out of one page of the log to
-- one endpoint is one row, not one row per delivery: while the run is open its items are pending
-- deliveries; as first attempts are answered, successes stay in `items` with their outcomes and each failure
-- moves to a row of `webhook_deliveries` (which then holds only deliveries that need, or needed,
-- more than one attempt); the run closes when no item is pending.
CREATE TABLE IF NOT EXISTS webhook_runs (
    run_id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    first_position BIGINT NOT NULL,
    last_position BIGINT NOT NULL,
    -- 1 while its first attempts are under way or due, 0 once closed.
    open BIGINT NOT NULL,
    attempt BIGINT NOT NULL DEFAULT 0,
    -- Items without an answer yet, and items delivered.
    pending BIGINT NOT NULL,
    succeeded BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- JSON: [{"p": position, "e": event id, "t": event type, and once delivered "c": status
    -- code, "ms": response time, "at": delivered at, "b": response body}], in log order. Last, so
    -- that reading the other columns never reads it.
    items TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_runs_due ON webhook_runs (next_attempt_at) WHERE open = 1;
CREATE INDEX IF NOT EXISTS webhook_runs_list ON webhook_runs (webhook_id, last_position);
