-- Access control at the edge: state that is not part of the event log.

-- When each key was last used, written in batches by the api (never once per request).
CREATE TABLE key_activity (
    key_id TEXT PRIMARY KEY,
    last_used_at TEXT NOT NULL
);

-- Calls per workspace per UTC day, for the daily quota (the in-process limiter's durable count).
CREATE TABLE api_quota_usage (
    workspace_id TEXT NOT NULL,
    day TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day)
);

-- Idempotency-Key records: the claim while a request runs, then its response for 24 hours.
-- The key itself is stored only as a hash and the response body only encrypted with a key
-- derived from it, so a stored response that shows a secret once reveals nothing at rest.
CREATE TABLE idempotency_records (
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    caller TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    owner TEXT NOT NULL,
    lease_until TEXT NOT NULL,
    response_status INTEGER,
    response_headers TEXT,
    response_body TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (scope, key_hash)
);
CREATE INDEX idempotency_records_expiry ON idempotency_records (expires_at);
