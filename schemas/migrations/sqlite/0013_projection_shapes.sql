-- The shape (a hash of the table definitions) each projection's read model was built with. When
-- a release changes a read model's tables, the start finds a different shape and rebuilds that
-- projection from the log before serving (infra/src/rebuild.rs, `reshape`).
CREATE TABLE IF NOT EXISTS projection_shapes (
    projection TEXT PRIMARY KEY,
    shape TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
