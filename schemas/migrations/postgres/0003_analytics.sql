-- Daily salts for anonymous visitor keys. A salt lives for its UTC day and is deleted after the
-- next, so yesterday's visitor keys cannot be recomputed from an address and a user agent.
CREATE TABLE IF NOT EXISTS analytics_salts (
    day TEXT PRIMARY KEY,
    salt TEXT NOT NULL
);
