//! Agents' tool calls through Keel's MCP servers: every call, whatever came of it, is an event
//! of its own stream (`mcpcall-<id>`), by the caller who made it. Remote MCP servers a workspace
//! registers (the gateway) are streams `mcpserver-<workspace>-<name>`.

use crate::{McpCallId, WorkspaceId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpToolCalled {
    pub call_id: McpCallId,
    pub workspace_id: WorkspaceId,
    /// `analytics`, `domains`, `audit`, `keys` or `usage` (as the caller named it when the
    /// call was refused).
    pub server: String,
    pub tool: String,
    /// SHA-256 (hex) of the arguments as sent: what was asked, without keeping it.
    pub arguments_sha256: String,
    /// `ok`; `error` (the route the tool calls refused: `status` says how); or `refused` (it
    /// never ran: an unknown tool, arguments that do not fit, a tool the caller may not use).
    pub outcome: String,
    /// The HTTP status of the route the tool called; absent when it never ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: i64,
    /// `mcp` (the MCP endpoint) or `rest` (`POST /api/v1/mcp/tools/call`).
    pub via: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// The client's name for itself (`clientInfo.name`), when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

/// A tool of a remote MCP server, as its `tools/list` described it when Keel last asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteTool {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The tool's JSON Schema for its arguments, as the server gave it.
    pub input_schema: serde_json::Value,
    /// The server's `annotations` (hints only: a remote server's word, not Keel's).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub annotations: serde_json::Value,
}

/// What Keel learnt from a remote server when it connected: its name for itself, the protocol
/// revision both speak, and its tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteDiscovery {
    pub protocol_version: String,
    /// `serverInfo.name` and `serverInfo.version`, as the server gave them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    pub tools: Vec<RemoteTool>,
}

/// A workspace admin registered a remote MCP server (Streamable HTTP): Keel lists its tools
/// beside its own and forwards calls to it. Its credential is never in the log: it sits in
/// `mcp_server_credentials`, named here by an id and a short hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerRegistered {
    pub workspace_id: WorkspaceId,
    /// The server's id in the workspace: a slug, also the prefix of its tools on `/mcp`.
    pub name: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub url: String,
    pub timeout_ms: i64,
    pub active: bool,
    /// The header the credential is sent in (`Authorization` sends `Bearer <credential>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_header: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_hint: Option<String>,
    /// Which stored credential is the server's (a random number drawn when it was given; 0
    /// when the server takes none).
    pub credential_id: i64,
    pub discovery: RemoteDiscovery,
}

/// Only what changed is present. A new credential comes with its id, header and hint; a
/// credential removed has id 0 and no hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerUpdated {
    pub workspace_id: WorkspaceId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// An empty description clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_header: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_hint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<i64>,
    /// The server's tools asked for again (a refresh, or a new URL or credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<RemoteDiscovery>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerRemoved {
    pub workspace_id: WorkspaceId,
    pub name: String,
}
