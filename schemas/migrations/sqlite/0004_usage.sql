-- Usage counters, written inside the append transaction (inline): one row per workspace, feature
-- and period (`period_start` in ms since the epoch; 0 for lifetime features). A hard limit is
-- checked against this row while it is locked, so concurrent records can never pass it.
CREATE TABLE IF NOT EXISTS usage_counters (
    workspace_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, feature, period_start)
);

-- Usage by hour (UTC, ms since the epoch) and by the API key that recorded it ('' for none).
CREATE TABLE IF NOT EXISTS usage_hourly (
    workspace_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    hour BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, feature, hour, key_id)
);
