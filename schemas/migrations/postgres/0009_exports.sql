-- CSV export jobs (infra/src/exports.rs): queued by the API, run by a worker; the file is kept
-- here so that any API process can serve the download.
CREATE TABLE IF NOT EXISTS exports (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    status TEXT NOT NULL,
    spec TEXT NOT NULL,
    row_count BIGINT,
    file_size BIGINT,
    error TEXT,
    content TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT
);
CREATE INDEX IF NOT EXISTS exports_workspace ON exports (workspace_id, created_at);
