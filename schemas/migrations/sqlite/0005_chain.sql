-- Tamper evidence (infra/src/chain.rs): a link per event, chained per workspace in the order the
-- chainer read the log, and each workspace's head.
CREATE TABLE IF NOT EXISTS event_chain (
    tenant_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    position BIGINT NOT NULL UNIQUE,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE TABLE IF NOT EXISTS chain_heads (
    tenant_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    position BIGINT NOT NULL
);
