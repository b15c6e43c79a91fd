//! An agent's tool call through Keel's MCP servers, put on the record: one event per call, in a
//! stream of its own, whatever came of it.

use crate::{Aggregate, DomainError, Validator};
use keel_events::{DomainEvent, McpToolCalled};

pub use keel_events::{RemoteDiscovery, RemoteTool};

/// Outcomes a call may have.
pub const OUTCOMES: [&str; 3] = ["ok", "error", "refused"];
/// How a call came in.
pub const VIA: [&str; 2] = ["mcp", "rest"];
/// Longest server or tool name kept (a refused call's name is the caller's, cut to this).
pub const MAX_NAME: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordCall(pub McpToolCalled);

/// Whether the call is on the record already.
pub struct McpCallAggregate;

impl Aggregate for McpCallAggregate {
    type State = bool;
    type Command = RecordCall;

    fn decide(recorded: &bool, command: &RecordCall) -> Result<Vec<DomainEvent>, DomainError> {
        if *recorded {
            return Err(DomainError::AlreadyExists("tool call"));
        }
        let c = &command.0;
        let mut v = Validator::new();
        v.check(
            !c.server.is_empty() && c.server.chars().count() <= MAX_NAME,
            "server",
            "must be 1 to 128 characters",
        );
        v.check(
            !c.tool.is_empty() && c.tool.chars().count() <= MAX_NAME,
            "tool",
            "must be 1 to 128 characters",
        );
        v.check(
            c.arguments_sha256.len() == 64
                && c.arguments_sha256.chars().all(|ch| ch.is_ascii_hexdigit()),
            "arguments_sha256",
            "must be a SHA-256 in hex",
        );
        v.check(
            OUTCOMES.contains(&c.outcome.as_str()),
            "outcome",
            "must be ok, error or refused",
        );
        v.check(
            (c.outcome == "refused") == c.status.is_none(),
            "status",
            "is the status of the route a call ran, and only of one that ran",
        );
        v.check(c.duration_ms >= 0, "duration_ms", "must not be negative");
        v.check(VIA.contains(&c.via.as_str()), "via", "must be mcp or rest");
        v.finish()?;
        Ok(vec![DomainEvent::McpToolCalled(c.clone())])
    }

    fn evolve(recorded: bool, event: &DomainEvent) -> bool {
        recorded || matches!(event, DomainEvent::McpToolCalled(_))
    }
}

// ---------------------------------------------------------------------------------------------
// Remote MCP servers a workspace registers (the gateway).

/// Names a remote server may not take: Keel's own servers' and the endpoint's.
pub const RESERVED_NAMES: [&str; 8] = [
    "analytics",
    "domains",
    "audit",
    "keys",
    "usage",
    "keel",
    "mcp",
    "servers",
];
pub const MAX_SERVER_NAME: usize = 32;
pub const MAX_TITLE: usize = 100;
pub const MAX_DESCRIPTION: usize = 500;
/// Tools Keel keeps of one remote server.
pub const MAX_REMOTE_TOOLS: usize = 100;
pub const DEFAULT_TIMEOUT_MS: i64 = 10_000;
pub const TIMEOUT_RANGE_MS: std::ops::RangeInclusive<i64> = 1_000..=60_000;
/// Headers a credential may not be sent in: the transport's own.
const RESERVED_HEADERS: [&str; 10] = [
    "host",
    "content-type",
    "content-length",
    "accept",
    "connection",
    "transfer-encoding",
    "mcp-session-id",
    "mcp-protocol-version",
    "user-agent",
    "origin",
];

/// Whether `name` will do as a server's name: 1 to 32 lowercase letters, digits and hyphens,
/// a letter first, no hyphen last.
pub fn check_server_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_SERVER_NAME
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err(
            "must be 1 to 32 lowercase letters, digits and hyphens, starting with a letter".into(),
        );
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(format!("`{name}` is the name of one of Keel's own servers"));
    }
    Ok(())
}

/// Whether a tool name is one MCP allows: 1 to 128 of `A-Z a-z 0-9 _ - .`.
pub fn valid_tool_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn check_header_name(name: &str) -> Result<(), String> {
    let token = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if !token {
        return Err("must be an HTTP header name (letters, digits, hyphens)".into());
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!("`{name}` is set by the transport itself"));
    }
    Ok(())
}

/// A registered remote server, as its stream tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteServer {
    pub workspace_id: keel_events::WorkspaceId,
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub url: String,
    pub timeout_ms: i64,
    pub active: bool,
    pub credential_header: Option<String>,
    pub credential_hint: Option<String>,
    pub credential_id: i64,
    pub discovery: keel_events::RemoteDiscovery,
}

/// The stream's state: the server while it is registered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteServerState {
    pub server: Option<RemoteServer>,
}

/// A new credential, stored beside the log under `id` (drawn at random by the caller, so a
/// request that fails half-way never leaves a row another request could be confused with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub id: i64,
    pub header: String,
    pub hint: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialChange {
    Keep,
    Set(NewCredential),
    Clear,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpServerCommand {
    Register {
        workspace_id: keel_events::WorkspaceId,
        name: String,
        title: Option<String>,
        description: Option<String>,
        url: String,
        timeout_ms: Option<i64>,
        active: bool,
        credential: Option<NewCredential>,
        discovery: keel_events::RemoteDiscovery,
        /// The operator allows plain http and private addresses.
        allow_private: bool,
    },
    Update {
        title: Option<String>,
        description: Option<String>,
        url: Option<String>,
        timeout_ms: Option<i64>,
        active: Option<bool>,
        credential: CredentialChange,
        /// The tools asked for again.
        discovery: Option<keel_events::RemoteDiscovery>,
        allow_private: bool,
    },
    Remove,
}

pub struct McpServerAggregate;

fn check_discovery(v: &mut Validator, d: &keel_events::RemoteDiscovery) {
    v.check(
        d.tools.len() <= MAX_REMOTE_TOOLS,
        "tools",
        format!(
            "the server lists {} tools; Keel keeps at most {MAX_REMOTE_TOOLS} per server",
            d.tools.len()
        ),
    );
    let bad = d.tools.iter().find(|t| !valid_tool_name(&t.name));
    v.check(
        bad.is_none(),
        "tools",
        format!(
            "the server lists a tool named `{}`; MCP tool names are 1 to 128 of A-Z a-z 0-9 _ - .",
            bad.map(|t| t.name.chars().take(140).collect::<String>())
                .unwrap_or_default()
        ),
    );
    let mut names: Vec<&str> = d.tools.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    let dup = names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0]);
    v.check(
        dup.is_none(),
        "tools",
        format!(
            "the server lists the tool `{}` twice",
            dup.unwrap_or_default()
        ),
    );
    v.check(
        d.tools.iter().all(|t| t.input_schema.is_object()),
        "tools",
        "every tool's input schema must be a JSON object",
    );
}

fn check_common(
    v: &mut Validator,
    title: Option<&str>,
    description: Option<&str>,
    url: Option<&str>,
    timeout_ms: Option<i64>,
    allow_private: bool,
) {
    if let Some(t) = title {
        let n = t.trim().chars().count();
        v.check(
            (1..=MAX_TITLE).contains(&n),
            "title",
            "must be 1 to 100 characters",
        );
    }
    if let Some(d) = description {
        v.check(
            d.chars().count() <= MAX_DESCRIPTION,
            "description",
            "must be at most 500 characters",
        );
    }
    if let Some(u) = url {
        if let Err(e) = crate::webhook::check_url(u, allow_private) {
            v.check(false, "url", e);
        }
    }
    if let Some(t) = timeout_ms {
        v.check(
            TIMEOUT_RANGE_MS.contains(&t),
            "timeout_ms",
            "must be 1000 to 60000",
        );
    }
}

impl Aggregate for McpServerAggregate {
    type State = RemoteServerState;
    type Command = McpServerCommand;

    fn decide(
        state: &RemoteServerState,
        command: &McpServerCommand,
    ) -> Result<Vec<DomainEvent>, DomainError> {
        match command {
            McpServerCommand::Register {
                workspace_id,
                name,
                title,
                description,
                url,
                timeout_ms,
                active,
                credential,
                discovery,
                allow_private,
            } => {
                if state.server.is_some() {
                    return Err(DomainError::NameTaken {
                        resource: "MCP server",
                        name: name.clone(),
                    });
                }
                let mut v = Validator::new();
                if let Err(e) = check_server_name(name) {
                    v.check(false, "name", e);
                }
                check_common(
                    &mut v,
                    title.as_deref(),
                    description.as_deref(),
                    Some(url),
                    *timeout_ms,
                    *allow_private,
                );
                if let Some(c) = credential {
                    if let Err(e) = check_header_name(&c.header) {
                        v.check(false, "credential_header", e);
                    }
                    v.check(c.id > 0, "credential", "needs an id above 0");
                }
                check_discovery(&mut v, discovery);
                v.finish()?;
                Ok(vec![DomainEvent::McpServerRegistered(
                    keel_events::McpServerRegistered {
                        workspace_id: *workspace_id,
                        name: name.clone(),
                        title: title.as_deref().map(str::trim).unwrap_or(name).to_string(),
                        description: description.clone().filter(|d| !d.is_empty()),
                        url: url.trim().to_string(),
                        timeout_ms: timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
                        active: *active,
                        credential_header: credential.as_ref().map(|c| c.header.clone()),
                        credential_hint: credential.as_ref().map(|c| c.hint.clone()),
                        credential_id: credential.as_ref().map_or(0, |c| c.id),
                        discovery: discovery.clone(),
                    },
                )])
            }
            McpServerCommand::Update {
                title,
                description,
                url,
                timeout_ms,
                active,
                credential,
                discovery,
                allow_private,
            } => {
                let s = state
                    .server
                    .as_ref()
                    .ok_or(DomainError::NotFound("MCP server"))?;
                let mut v = Validator::new();
                check_common(
                    &mut v,
                    title.as_deref(),
                    description.as_deref(),
                    url.as_deref(),
                    *timeout_ms,
                    *allow_private,
                );
                if let CredentialChange::Set(c) = credential {
                    if let Err(e) = check_header_name(&c.header) {
                        v.check(false, "credential_header", e);
                    }
                    v.check(c.id > 0, "credential", "needs an id above 0");
                }
                if let Some(d) = discovery {
                    check_discovery(&mut v, d);
                }
                v.finish()?;
                let changed = |new: &Option<String>, old: &str| {
                    new.as_deref()
                        .map(str::trim)
                        .filter(|n| *n != old)
                        .map(str::to_string)
                };
                let (credential_header, credential_hint, credential_id) = match credential {
                    CredentialChange::Keep => (None, None, None),
                    CredentialChange::Set(c) => {
                        (Some(c.header.clone()), Some(c.hint.clone()), Some(c.id))
                    }
                    CredentialChange::Clear if s.credential_id == 0 => (None, None, None),
                    CredentialChange::Clear => (None, None, Some(0)),
                };
                let e = keel_events::McpServerUpdated {
                    workspace_id: s.workspace_id,
                    name: s.name.clone(),
                    title: changed(title, &s.title),
                    description: description
                        .clone()
                        .filter(|d| Some(d.as_str()) != s.description.as_deref())
                        .filter(|d| !(d.is_empty() && s.description.is_none())),
                    url: changed(url, &s.url),
                    timeout_ms: timeout_ms.filter(|t| *t != s.timeout_ms),
                    active: active.filter(|a| *a != s.active),
                    credential_header,
                    credential_hint,
                    credential_id,
                    discovery: discovery.clone().filter(|d| *d != s.discovery),
                };
                let nothing = e.title.is_none()
                    && e.description.is_none()
                    && e.url.is_none()
                    && e.timeout_ms.is_none()
                    && e.active.is_none()
                    && e.credential_id.is_none()
                    && e.discovery.is_none();
                if nothing {
                    return Ok(vec![]);
                }
                Ok(vec![DomainEvent::McpServerUpdated(e)])
            }
            McpServerCommand::Remove => {
                let s = state
                    .server
                    .as_ref()
                    .ok_or(DomainError::NotFound("MCP server"))?;
                Ok(vec![DomainEvent::McpServerRemoved(
                    keel_events::McpServerRemoved {
                        workspace_id: s.workspace_id,
                        name: s.name.clone(),
                    },
                )])
            }
        }
    }

    fn evolve(mut state: RemoteServerState, event: &DomainEvent) -> RemoteServerState {
        match event {
            DomainEvent::McpServerRegistered(e) => {
                state.server = Some(RemoteServer {
                    workspace_id: e.workspace_id,
                    name: e.name.clone(),
                    title: e.title.clone(),
                    description: e.description.clone(),
                    url: e.url.clone(),
                    timeout_ms: e.timeout_ms,
                    active: e.active,
                    credential_header: e.credential_header.clone(),
                    credential_hint: e.credential_hint.clone(),
                    credential_id: e.credential_id,
                    discovery: e.discovery.clone(),
                });
            }
            DomainEvent::McpServerUpdated(e) => {
                if let Some(s) = &mut state.server {
                    if let Some(t) = &e.title {
                        s.title = t.clone();
                    }
                    if let Some(d) = &e.description {
                        s.description = Some(d.clone()).filter(|d| !d.is_empty());
                    }
                    if let Some(u) = &e.url {
                        s.url = u.clone();
                    }
                    if let Some(t) = e.timeout_ms {
                        s.timeout_ms = t;
                    }
                    if let Some(a) = e.active {
                        s.active = a;
                    }
                    if let Some(v) = e.credential_id {
                        s.credential_id = v;
                        s.credential_header = e.credential_header.clone();
                        s.credential_hint = e.credential_hint.clone();
                    }
                    if let Some(d) = &e.discovery {
                        s.discovery = d.clone();
                    }
                }
            }
            DomainEvent::McpServerRemoved(_) => state.server = None,
            _ => {}
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestFramework as Test;
    use keel_events::{McpCallId, WorkspaceId};
    use uuid::Uuid;

    fn call(outcome: &str, status: Option<u16>) -> McpToolCalled {
        McpToolCalled {
            call_id: McpCallId(Uuid::from_u128(1)),
            workspace_id: WorkspaceId(Uuid::from_u128(2)),
            server: "keys".into(),
            tool: "revoke_key".into(),
            arguments_sha256: "a".repeat(64),
            outcome: outcome.into(),
            status,
            error: None,
            duration_ms: 12,
            via: "mcp".into(),
            protocol_version: Some("2026-07-28".into()),
            client: None,
        }
    }

    #[test]
    fn a_call_is_recorded_once_whatever_its_outcome() {
        for (outcome, status) in [("ok", Some(200)), ("error", Some(404)), ("refused", None)] {
            Test::<McpCallAggregate>::given(vec![])
                .when(RecordCall(call(outcome, status)))
                .then(vec![DomainEvent::McpToolCalled(call(outcome, status))]);
        }
        Test::<McpCallAggregate>::given(vec![DomainEvent::McpToolCalled(call("ok", Some(200)))])
            .when(RecordCall(call("ok", Some(200))))
            .then_error(DomainError::AlreadyExists("tool call"));
    }

    #[test]
    fn a_record_that_does_not_add_up_is_refused() {
        let mut bad = call("refused", Some(200));
        bad.via = "carrier pigeon".into();
        bad.arguments_sha256 = "xyz".into();
        let e = Test::<McpCallAggregate>::given(vec![])
            .when(RecordCall(bad))
            .error();
        let DomainError::Validation(fields) = e else {
            panic!("{e:?}")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["arguments_sha256", "status", "via"]);
    }

    fn ws() -> WorkspaceId {
        WorkspaceId(Uuid::from_u128(2))
    }

    fn discovery(tools: &[&str]) -> RemoteDiscovery {
        RemoteDiscovery {
            protocol_version: "2025-11-25".into(),
            server_name: Some("weather".into()),
            server_version: None,
            tools: tools
                .iter()
                .map(|n| RemoteTool {
                    name: n.to_string(),
                    title: None,
                    description: None,
                    input_schema: serde_json::json!({"type": "object"}),
                    annotations: serde_json::Value::Null,
                })
                .collect(),
        }
    }

    fn register(name: &str, credential: bool) -> McpServerCommand {
        McpServerCommand::Register {
            workspace_id: ws(),
            name: name.into(),
            title: None,
            description: None,
            url: "https://mcp.example.com/mcp".into(),
            timeout_ms: None,
            active: true,
            credential: credential.then(|| NewCredential {
                id: 7,
                header: "Authorization".into(),
                hint: "sk_l…".into(),
            }),
            discovery: discovery(&["forecast"]),
            allow_private: false,
        }
    }

    fn registered(name: &str, version: i64) -> keel_events::McpServerRegistered {
        keel_events::McpServerRegistered {
            workspace_id: ws(),
            name: name.into(),
            title: name.into(),
            description: None,
            url: "https://mcp.example.com/mcp".into(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            active: true,
            credential_header: (version > 0).then(|| "Authorization".into()),
            credential_hint: (version > 0).then(|| "sk_l…".into()),
            credential_id: version,
            discovery: discovery(&["forecast"]),
        }
    }

    fn update() -> McpServerCommand {
        McpServerCommand::Update {
            title: None,
            description: None,
            url: None,
            timeout_ms: None,
            active: None,
            credential: CredentialChange::Keep,
            discovery: None,
            allow_private: false,
        }
    }

    #[test]
    fn a_remote_server_is_registered_once_per_name_with_its_first_credential() {
        Test::<McpServerAggregate>::given(vec![])
            .when(register("weather", true))
            .then(vec![DomainEvent::McpServerRegistered(registered(
                "weather", 7,
            ))]);
        Test::<McpServerAggregate>::given(vec![DomainEvent::McpServerRegistered(registered(
            "weather", 0,
        ))])
        .when(register("weather", true))
        .then_error(DomainError::NameTaken {
            resource: "MCP server",
            name: "weather".into(),
        });
    }

    #[test]
    fn a_name_is_free_again_once_its_server_is_removed() {
        Test::<McpServerAggregate>::given(vec![
            DomainEvent::McpServerRegistered(registered("weather", 1)),
            DomainEvent::McpServerRemoved(keel_events::McpServerRemoved {
                workspace_id: ws(),
                name: "weather".into(),
            }),
        ])
        .when(register("weather", true))
        .then(vec![DomainEvent::McpServerRegistered(registered(
            "weather", 7,
        ))]);
    }

    #[test]
    fn a_bad_registration_names_every_bad_field() {
        let McpServerCommand::Register {
            workspace_id,
            active,
            ..
        } = register("x", false)
        else {
            unreachable!()
        };
        let mut d = discovery(&["ok", "bad name!", "ok"]);
        d.tools[0].input_schema = serde_json::json!("nope");
        let e = Test::<McpServerAggregate>::given(vec![])
            .when(McpServerCommand::Register {
                workspace_id,
                name: "analytics".into(),
                title: Some(" ".into()),
                description: None,
                url: "http://10.0.0.1/mcp".into(),
                timeout_ms: Some(120_000),
                active,
                credential: Some(NewCredential {
                    id: 3,
                    header: "Mcp-Session-Id".into(),
                    hint: "x".into(),
                }),
                discovery: d,
                allow_private: false,
            })
            .error();
        let DomainError::Validation(fields) = e else {
            panic!("{e:?}")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "title",
                "url",
                "timeout_ms",
                "credential_header",
                "tools",
                "tools",
                "tools"
            ]
        );
        for bad in ["", "Weather", "9lives", "weather-", "a_b", &"a".repeat(33)] {
            assert!(check_server_name(bad).is_err(), "{bad}");
        }
        assert!(check_server_name("weather-2").is_ok());
    }

    #[test]
    fn an_update_records_only_what_changed_and_a_cleared_credential_is_version_0() {
        let given = || vec![DomainEvent::McpServerRegistered(registered("weather", 1))];
        Test::<McpServerAggregate>::given(given())
            .when(update())
            .then(vec![]);
        Test::<McpServerAggregate>::given(given())
            .when(McpServerCommand::Update {
                title: None,
                description: None,
                url: None,
                active: Some(false),
                timeout_ms: Some(DEFAULT_TIMEOUT_MS),
                credential: CredentialChange::Clear,
                discovery: Some(discovery(&["forecast", "alerts"])),
                allow_private: false,
            })
            .then(vec![DomainEvent::McpServerUpdated(
                keel_events::McpServerUpdated {
                    workspace_id: ws(),
                    name: "weather".into(),
                    title: None,
                    description: None,
                    url: None,
                    timeout_ms: None,
                    active: Some(false),
                    credential_header: None,
                    credential_hint: None,
                    credential_id: Some(0),
                    discovery: Some(discovery(&["forecast", "alerts"])),
                },
            )]);
        Test::<McpServerAggregate>::given(vec![])
            .when(McpServerCommand::Remove)
            .then_error(DomainError::NotFound("MCP server"));
    }
}
