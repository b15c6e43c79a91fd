//! Agents' tool calls through Keel's MCP servers: every call, whatever came of it, is an event
//! of its own stream (`mcpcall-<id>`), by the caller who made it.

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
