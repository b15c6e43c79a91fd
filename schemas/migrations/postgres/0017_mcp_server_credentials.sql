-- The MCP gateway (issue 25): credentials of the remote MCP servers a workspace registers.
-- Never in an event (the log goes to Kafka and to auditors); an event names a credential by a
-- random id and a short hint. A new credential adds a row; the others are deleted once the
-- event naming the new one is in the log, and all of them when the server is removed.
CREATE TABLE IF NOT EXISTS mcp_server_credentials (
    workspace_id TEXT NOT NULL,
    name TEXT NOT NULL,
    credential_id BIGINT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, name, credential_id)
);
