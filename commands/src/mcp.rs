//! An agent's tool call through Keel's MCP servers, put on the record: one event per call, in a
//! stream of its own, whatever came of it.

use crate::{Aggregate, DomainError, Validator};
use keel_events::{DomainEvent, McpToolCalled};

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
}
