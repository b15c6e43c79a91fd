-- The log, which is also the outbox the relay tails.
CREATE TABLE events (
    position        BIGSERIAL PRIMARY KEY,
    -- The appending transaction: readers tail by (txid, position) below the oldest running
    -- transaction, so a late commit is never skipped (see docs/adr/0002).
    txid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id        UUID NOT NULL UNIQUE,
    tenant_id       UUID NOT NULL,
    stream_id       TEXT NOT NULL,
    stream_version  BIGINT NOT NULL CHECK (stream_version > 0),
    event_type      TEXT NOT NULL,
    schema_version  INT NOT NULL,
    payload         JSONB NOT NULL,
    metadata        JSONB NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_tail ON events (txid, position);
CREATE INDEX events_tenant ON events (tenant_id, position);

-- Inline projections: strongly consistent, written in the append transaction.
CREATE TABLE auth_workspaces (
    workspace_id     TEXT PRIMARY KEY,
    slug             TEXT UNIQUE,
    tier             TEXT NOT NULL,
    max_active_keys  BIGINT NOT NULL,
    -- bumped on every key creation: the row lock serialises quota checks per workspace
    key_seq          BIGINT NOT NULL DEFAULT 0,
    deleted          BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE auth_keys (
    key_hash         TEXT PRIMARY KEY,
    key_id           TEXT NOT NULL,
    workspace_id     TEXT NOT NULL,
    name             TEXT NOT NULL,
    prefix           TEXT NOT NULL,
    scopes           TEXT NOT NULL,
    rate_limit_tier  TEXT,
    status           TEXT NOT NULL,
    expires_at       TEXT,
    valid_until      TEXT
);
CREATE INDEX auth_keys_key_id ON auth_keys (key_id);
CREATE TABLE operator_tokens (
    token_hash  TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL
);

-- Where each log tailer (relay, in-process projector feeds) has got to.
CREATE TABLE checkpoints (
    name        TEXT PRIMARY KEY,
    txid        BIGINT NOT NULL,
    position    BIGINT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- Kafka offsets of projectors, written in the same transaction as their read-model rows.
CREATE TABLE projector_offsets (
    projection    TEXT NOT NULL,
    topic         TEXT NOT NULL,
    partition_id  BIGINT NOT NULL,
    next_offset   BIGINT NOT NULL,
    PRIMARY KEY (projection, topic, partition_id)
);
-- Per projection and source stream: the last version applied. Guards every read-model write.
CREATE TABLE projection_streams (
    projection  TEXT NOT NULL,
    stream_id   TEXT NOT NULL,
    version     BIGINT NOT NULL,
    position    BIGINT NOT NULL,
    PRIMARY KEY (projection, stream_id)
);
