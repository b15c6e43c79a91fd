-- Snapshots of folded entity state (api/src/routes/as_of.rs): the state of a stream after
-- `version`, whose events were all recorded at or before `recorded_at`. A cache: deleting rows
-- only makes point-in-time reads slower. `shape` is the version of the state's encoding; rows of
-- another shape are ignored.
CREATE TABLE IF NOT EXISTS stream_snapshots (
    tenant_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    shape INTEGER NOT NULL,
    version BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (stream_id, shape, version)
);
