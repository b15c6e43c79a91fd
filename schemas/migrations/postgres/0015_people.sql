-- People (issue 22). The auth_* tables are inline projections of the log, written in the append
-- transaction so that a removed member or a revoked token fails on the very next request. The
-- user_* tables hold what never enters the log: password hashes and sign-in sessions.
CREATE TABLE auth_users (
    user_id         TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    -- 1 once a link sent to the address came back (an accepted invitation counts)
    email_verified  BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE auth_members (
    workspace_id  TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX auth_members_user ON auth_members (user_id);
CREATE TABLE auth_account_tokens (
    token_hash    TEXT PRIMARY KEY,
    token_id      TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT
);
CREATE INDEX auth_account_tokens_user ON auth_account_tokens (user_id);
CREATE TABLE auth_invitations (
    invitation_id  TEXT PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    workspace_id   TEXT NOT NULL,
    email          TEXT NOT NULL,
    role           TEXT NOT NULL,
    status         TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    accepted_by    TEXT
);
CREATE INDEX auth_invitations_workspace ON auth_invitations (workspace_id, created_at);
CREATE TABLE user_credentials (
    user_id        TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    -- The second factor (RFC 6238 TOTP): the secret in force, one being set up, and the last
    -- time step a code was accepted for (a code works once).
    totp_secret     TEXT,
    totp_pending    TEXT,
    totp_last_step  BIGINT
);
CREATE TABLE user_sessions (
    session_hash  TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    client_ip     TEXT,
    user_agent    TEXT,
    revoked_at    TEXT
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);
-- Password resets by emailed link: the link's secret as SHA-256, good once for an hour.
CREATE TABLE user_password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX user_password_resets_user ON user_password_resets (user_id);
-- Email verification links: the secret as SHA-256, for one address, good once for a day.
CREATE TABLE user_email_verifications (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    email       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
