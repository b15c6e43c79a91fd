-- Domains waiting for the scanner (api/src/routes/domains.rs queues them, the worker takes them):
-- operational state, not history. New domains and "scan now" requests land here; periodic
-- rescans are found from the read model's last_scanned.
CREATE TABLE IF NOT EXISTS domain_scan_queue (
    domain_id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    requested_at TEXT NOT NULL
);
