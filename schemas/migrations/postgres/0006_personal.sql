-- Personal data (schemas/src/personal.rs): one key per data subject (a site's visitor). Personal
-- fields of events are sealed with it; erasing the person deletes the row, and with it every way
-- to read those fields (see "Personal data" in docs/operations.md about backups).
CREATE TABLE IF NOT EXISTS subject_keys (
    key_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, subject)
);
