-- Bounded raw analytics storage (issue 27): the projector role drops raw hits older than
-- KEEL_ANALYTICS_RAW_RETENTION_DAYS (whole monthly partitions on Postgres); this row says since
-- when raw hits are complete, so that a query needing older ones says so instead of answering
-- from what is left. Rollups, visits' totals and the log itself are kept.
CREATE TABLE IF NOT EXISTS analytics_horizon (
    name TEXT PRIMARY KEY,
    -- Raw hits before this instant (ms since the epoch) may have been dropped.
    raw_since BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
