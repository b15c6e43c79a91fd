//! The alert worker: every `KEEL_ALERTS_INTERVAL_SECONDS` it measures each enabled alert's
//! condition from the read models and the usage ledger, asks the alert's decider to fire or
//! resolve (which allows one firing per window and none while firing), and tells the channels
//! of what was recorded: members by email, a Slack-compatible URL. Webhook channels need nothing
//! here: the dispatcher delivers `alert.fired`/`alert.resolved` to them from the log, signed and
//! retried like every delivery.

use crate::error::ApiError;
use crate::routes::usage::{account_in, feature_of};
use chrono::{DateTime, Duration, Utc};
use keel_commands::alert::{AlertAggregate, AlertCommand};
use keel_commands::{execute, EventStore, Execution};
use keel_events::{
    AlertChannel, AlertCondition, AlertId, DomainEvent, EventId, Metadata, RecordedEvent, StreamId,
    WorkspaceId,
};
use keel_infra::alerts::{self as store_alerts, Notification};
use keel_infra::clock::Clock;
use keel_infra::mail::Mailer;
use keel_infra::store::SqlStore;
use keel_infra::webhooks::Sender;
use keel_projections::alerts::{enabled_alerts, AlertView};
use keel_projections::stats::{compute, Grouping, StatsQuery};
use keel_schemas::format_ts;
use tokio::sync::watch;

/// What the worker needs.
#[derive(Clone)]
pub struct AlertWorker {
    pub store: SqlStore,
    pub clock: Clock,
    pub mailer: Option<Mailer>,
    pub sender: Sender,
    pub interval: std::time::Duration,
    /// Where links in messages point (`KEEL_PUBLIC_URL`).
    pub public_url: Option<String>,
}

/// A condition as measured at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub value: i64,
    pub holds: bool,
    pub summary: String,
}

/// Evaluates every alert each interval until shutdown.
pub async fn run(w: AlertWorker, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(w.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        evaluate_all(&w).await;
    }
}

/// One round over every enabled alert; an alert that cannot be evaluated is retried next round.
pub async fn evaluate_all(w: &AlertWorker) {
    let alerts = match enabled_alerts(w.store.db()).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "alerts: cannot list alerts; will retry");
            return;
        }
    };
    for a in alerts {
        if let Err(e) = evaluate(w, &a).await {
            tracing::warn!(alert = %a.id, error = %e, "alerts: evaluation failed; will retry");
        }
    }
}

async fn evaluate(w: &AlertWorker, a: &AlertView) -> Result<(), ApiError> {
    let condition: AlertCondition = serde_json::from_value(a.condition.clone())
        .map_err(|e| ApiError::Internal(format!("stored condition: {e}")))?;
    let ws: WorkspaceId = a
        .workspace_id
        .parse()
        .map_err(|_| ApiError::Internal("stored workspace id".into()))?;
    let id: AlertId =
        a.id.parse()
            .map_err(|_| ApiError::Internal("stored alert id".into()))?;
    let now = w.clock.now();
    let window = Duration::minutes(a.window_minutes);
    let Some(m) = measure(w, ws, &condition, now, window, &a.created_at).await? else {
        return Ok(());
    };
    // The read model's state spares the log a read when nothing would change; the decider has
    // the last word either way.
    let firing = a.state == "firing";
    if m.holds == firing {
        return Ok(());
    }
    let command = if m.holds {
        AlertCommand::Fire {
            condition,
            window_minutes: a.window_minutes,
            value: m.value,
            summary: m.summary.clone(),
            window_start: now - window,
            window_end: now,
        }
    } else {
        AlertCommand::Resolve {
            value: m.value,
            summary: m.summary.clone(),
        }
    };
    let exec = Execution {
        tenant_id: ws,
        stream_id: StreamId::alert(id),
        expected_version: None,
        metadata: Metadata::system(),
        now,
        new_stream: false,
    };
    let mine = EventId::new_v7();
    let (outcome, after) = execute::<AlertAggregate>(&w.store, &exec, &command, || mine).await?;
    let Some(after) = after.filter(|_| !outcome.duplicate) else {
        return Ok(());
    };
    // Only the process whose event it is tells the channels (another worker may have decided
    // first, and then this one decided nothing).
    let history = w.store.read_stream(&exec.stream_id).await?;
    let Some(e) = history.last().filter(|e| e.event_id == mine) else {
        return Ok(());
    };
    notify(w, a, &after.channels, e).await;
    Ok(())
}

/// Measures `condition` over the window ending `now`; `None` when what it watches is gone (a
/// deleted site or domain): such an alert neither fires nor resolves.
pub async fn measure(
    w: &AlertWorker,
    ws: WorkspaceId,
    condition: &AlertCondition,
    now: DateTime<Utc>,
    window: Duration,
    created_at: &str,
) -> Result<Option<Measure>, ApiError> {
    let db = w.store.db();
    let wss = ws.to_string();
    Ok(Some(match condition {
        AlertCondition::Traffic {
            site_id,
            metric,
            op,
            threshold,
        } => {
            if keel_projections::sites::get_site(db, &wss, &site_id.to_string())
                .await?
                .is_none_or(|s| s.status != "active")
            {
                return Ok(None);
            }
            let count = |from: DateTime<Utc>, to: DateTime<Utc>| {
                let q = StatsQuery {
                    site_id: site_id.to_string(),
                    from: from.timestamp_millis(),
                    to: to.timestamp_millis(),
                    tz: chrono_tz::Tz::UTC,
                    filters: vec![],
                };
                let metric = metric.clone();
                async move {
                    let (groups, _) = compute(db, &q, Grouping::Total).await?;
                    let acc = groups.into_values().next().unwrap_or_default();
                    Ok::<i64, sqlx::Error>(if metric == "pageviews" {
                        acc.pageviews
                    } else {
                        i64::try_from(acc.visitors.count()).unwrap_or(i64::MAX)
                    })
                }
            };
            let current = count(now - window, now).await?;
            match op.as_str() {
                "above" => Measure {
                    value: current,
                    holds: current > *threshold,
                    summary: format!("{current} {metric} in the window, above {threshold}"),
                },
                "below" => Measure {
                    value: current,
                    holds: current < *threshold,
                    summary: format!("{current} {metric} in the window, below {threshold}"),
                },
                _ => {
                    let previous = count(now - window - window, now - window).await?;
                    let drop = drop_percent(previous, current);
                    Measure {
                        value: drop,
                        holds: previous > 0 && drop >= *threshold,
                        summary: format!(
                            "{metric}: {current} in the window against {previous} in the one before (a drop of {drop}%; alert at {threshold}%)"
                        ),
                    }
                }
            }
        }
        AlertCondition::Usage { feature, percent } => {
            let acc = account_in(&w.store, ws, None).await?;
            let ent = match feature_of(&acc, feature) {
                Ok(e) => e,
                Err(_) => return Ok(None),
            };
            let Some(limit) = ent.limit.filter(|l| *l > 0) else {
                return Ok(Some(Measure {
                    value: 0,
                    holds: false,
                    summary: format!("{feature} has no limit"),
                }));
            };
            let (start, _) = ent.period_at(now, acc.tz, acc.anchor_day);
            let used =
                keel_infra::usage::used(db, &wss, &ent.feature, start.timestamp_millis()).await?;
            let pct = used.saturating_mul(100) / limit;
            Measure {
                value: pct,
                holds: pct >= *percent,
                summary: format!(
                    "{feature}: {used} of {limit} used this period ({pct}%; alert at {percent}%)"
                ),
            }
        }
        AlertCondition::DnsChange { domain_id, fields } => {
            let did = domain_id.to_string();
            let Some(name) = store_alerts::domain_name(db, &wss, &did).await? else {
                return Ok(None);
            };
            // Changes from before the alert existed are not news to it.
            let since = format_ts(now - window).max(created_at.to_string());
            let changes = store_alerts::dns_changes_since(db, &wss, &did, &since, fields).await?;
            let described: Vec<String> = changes
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} → {}",
                        c.field_name,
                        c.old_value.as_deref().unwrap_or("(none)"),
                        c.new_value.as_deref().unwrap_or("(none)")
                    )
                })
                .collect();
            Measure {
                value: changes.len() as i64,
                holds: !changes.is_empty(),
                summary: if changes.is_empty() {
                    format!("no DNS change of {name} in the window")
                } else {
                    format!("DNS of {name} changed: {}", described.join("; "))
                },
            }
        }
        AlertCondition::WebhookDisabled { webhook_id } => {
            let hooks = store_alerts::disabled_webhooks(
                db,
                &wss,
                webhook_id.map(|h| h.to_string()).as_deref(),
            )
            .await?;
            Measure {
                value: hooks.len() as i64,
                holds: !hooks.is_empty(),
                summary: if hooks.is_empty() {
                    "no webhook endpoint is disabled".into()
                } else {
                    format!(
                        "disabled webhook endpoints: {}",
                        hooks
                            .iter()
                            .map(|(id, url, why)| format!(
                                "{id} ({url}){}",
                                why.as_deref().map(|w| format!(": {w}")).unwrap_or_default()
                            ))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                },
            }
        }
        AlertCondition::KeyUnused { key_id, days } => {
            let keys = store_alerts::unused_keys(
                db,
                &wss,
                key_id.map(|k| k.to_string()).as_deref(),
                &format_ts(now - Duration::days(*days)),
                &format_ts(now),
            )
            .await?;
            Measure {
                value: keys.len() as i64,
                holds: !keys.is_empty(),
                summary: if keys.is_empty() {
                    format!("every key was used in the last {days} days")
                } else {
                    format!(
                        "keys unused for {days} days: {}",
                        keys.iter()
                            .map(|(id, name, last)| format!(
                                "{name} ({id}, last used {})",
                                last.as_deref().unwrap_or("never")
                            ))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                },
            }
        }
    }))
}

/// How far `current` fell below `previous`, in whole percent (0 when it did not fall).
pub fn drop_percent(previous: i64, current: i64) -> i64 {
    if previous <= 0 || current >= previous {
        0
    } else {
        (previous - current).saturating_mul(100) / previous
    }
}

/// Tells the alert's email and Slack channels of `e`, and notes the webhook deliveries the
/// dispatcher will make; each outcome is recorded for the alert's history.
async fn notify(w: &AlertWorker, a: &AlertView, channels: &[AlertChannel], e: &RecordedEvent) {
    let (fired, summary) = match &e.event {
        DomainEvent::AlertFired(f) => (true, f.summary.clone()),
        DomainEvent::AlertResolved(r) => (false, r.summary.clone()),
        _ => return,
    };
    let event_id = e.event_id.to_string();
    let subject = if fired {
        format!("[Keel] Alert firing: {}", a.name)
    } else {
        format!("[Keel] Alert resolved: {}", a.name)
    };
    let link = format!(
        "{}/api/v1/alerts/{}/events",
        w.public_url.as_deref().unwrap_or("").trim_end_matches('/'),
        a.id
    );
    let body = format!(
        "{}\n\n{summary}\n\nAlert: {} ({})\nWorkspace: {}\nAt: {}\nHistory: {link}\n",
        if fired {
            "An alert is firing."
        } else {
            "An alert has resolved."
        },
        a.name,
        a.id,
        a.workspace_id,
        format_ts(e.occurred_at),
    );
    let at = || format_ts(Utc::now());
    for c in channels {
        let n = match c {
            AlertChannel::Email { roles } => {
                let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
                email(w, a, &roles, &subject, &body, &event_id).await
            }
            AlertChannel::Slack { .. } => slack(w, a, &subject, &summary, &event_id).await,
            AlertChannel::Webhook { webhook_id } => Notification {
                event_id: event_id.clone(),
                channel: "webhook",
                webhook_id: Some(webhook_id.to_string()),
                delivery_id: Some(keel_infra::webhooks::delivery_id(
                    &webhook_id.to_string(),
                    &event_id,
                )),
                status: "queued",
                at: at(),
                ..Default::default()
            },
        };
        if let Err(err) = store_alerts::record_notification(w.store.db(), &n).await {
            tracing::warn!(alert = %a.id, error = %err, "alerts: could not record a notification");
        }
    }
}

async fn email(
    w: &AlertWorker,
    a: &AlertView,
    roles: &[String],
    subject: &str,
    body: &str,
    event_id: &str,
) -> Notification {
    let mut n = Notification {
        event_id: event_id.to_string(),
        channel: "email",
        status: "sent",
        ..Default::default()
    };
    let result = async {
        let Some(mailer) = &w.mailer else {
            return Err("no mail server is configured (KEEL_SMTP_URL)".to_string());
        };
        let to = store_alerts::recipients(w.store.db(), &a.workspace_id, roles)
            .await
            .map_err(|e| e.to_string())?;
        n.recipients = Some(to.len() as i64);
        if to.is_empty() {
            return Err("no member with a verified address to write to".into());
        }
        // One message per member: no one learns the others' addresses.
        let mut failed = None;
        for (addr, _) in &to {
            if let Err(e) = mailer.send(addr, subject, body.to_string()).await {
                failed.get_or_insert(e.to_string());
            }
        }
        failed.map_or(Ok(()), Err)
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(alert = %a.id, error = %e, "alerts: email not sent");
        n.status = "failed";
        n.error = Some(e);
    }
    n.at = format_ts(Utc::now());
    n
}

async fn slack(
    w: &AlertWorker,
    a: &AlertView,
    subject: &str,
    summary: &str,
    event_id: &str,
) -> Notification {
    let mut n = Notification {
        event_id: event_id.to_string(),
        channel: "slack",
        status: "sent",
        ..Default::default()
    };
    let result = async {
        let url = store_alerts::slack_url(w.store.db(), &a.id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the Slack URL is missing")?;
        let body = serde_json::json!({ "text": format!("*{subject}*\n{summary}") }).to_string();
        // Through the webhook sender: the same SSRF guard on every address the host resolves to.
        let attempt = w.sender.post_plain(&url, body).await;
        if attempt.success {
            Ok(())
        } else {
            Err(attempt
                .error
                .unwrap_or_else(|| format!("answered {}", attempt.status_code.unwrap_or_default())))
        }
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(alert = %a.id, error = %e, "alerts: Slack message not sent");
        n.status = "failed";
        n.error = Some(e);
    }
    n.at = format_ts(Utc::now());
    n
}

#[cfg(test)]
mod tests {
    use super::drop_percent;

    #[test]
    fn a_drop_is_the_share_of_the_previous_window_lost() {
        assert_eq!(drop_percent(10, 0), 100);
        assert_eq!(drop_percent(10, 4), 60);
        assert_eq!(drop_percent(3, 2), 33);
        assert_eq!(drop_percent(10, 10), 0);
        assert_eq!(drop_percent(10, 15), 0, "a rise is no drop");
        assert_eq!(drop_percent(0, 0), 0, "nothing to drop from");
    }
}
