//! Background work of the api role, off the request path: key activity, the server's own
//! `api_calls` usage, quota counts, and the purges of salts, idempotency records and webhook
//! deliveries past their time.

use crate::error::ApiError;
use crate::routes::usage::{account, feature_of};
use crate::state::AppState;
use keel_commands::usage;
use keel_events::EventId;
use tokio::sync::watch;

/// Every few seconds: writes `last_used_at` of keys and quota counts, forgets idle rate-limit
/// buckets, (every minute) deletes idempotency records past their 24 hours, and (at start and
/// every hour) webhook deliveries finished longer ago than their retention. Flushes once more on
/// shutdown.
pub async fn housekeeping(state: std::sync::Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    let mut rounds: u64 = 0;
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            _ = shutdown.changed() => true,
        };
        let now = chrono::Utc::now();
        if let Err(e) = state.activity.flush(&state.db).await {
            tracing::warn!(error = %e, "could not record key activity; will retry");
        }
        record_api_calls(&state).await;
        if let Err(e) = state.limiter.local.flush(&state.db, now).await {
            tracing::warn!(error = %e, "could not record quota usage; will retry");
        }
        if rounds.is_multiple_of(300) {
            let yesterday = (now - chrono::Duration::days(1))
                .format("%Y-%m-%d")
                .to_string();
            // Yesterday's salt stays, for events arriving around midnight.
            if let Err(e) = keel_infra::salts::purge_before(&state.db, &yesterday).await {
                tracing::warn!(error = %e, "could not purge old visitor salts");
            }
        }
        let every = (state.config.stripe_sync_interval_secs / 2).max(1);
        if state.config.stripe_sync_interval_secs > 0 && rounds > 0 && rounds.is_multiple_of(every)
        {
            // Every active integration, each at most once at a time in this process.
            match keel_projections::integrations::active(&state.db).await {
                Ok(ids) => {
                    for (_, id) in ids {
                        if let Ok(id) = id.parse() {
                            state.syncer.start(id);
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not list integrations to sync"),
            }
        }
        if rounds.is_multiple_of(30) {
            match crate::idempotency::purge_expired(&state.db, now).await {
                Ok(n) if n > 0 => tracing::debug!(purged = n, "expired idempotency records"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not purge idempotency records"),
            }
        }
        if rounds.is_multiple_of(1800) {
            let days = i64::try_from(state.config.webhooks.retention_days).unwrap_or(i64::MAX);
            let before = now - chrono::Duration::days(days.min(3650));
            match keel_infra::webhooks::purge_finished(&state.db, before).await {
                Ok((runs, rows)) if runs + rows > 0 => {
                    tracing::info!(
                        runs,
                        rows,
                        "deleted webhook deliveries past their retention"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not delete old webhook deliveries"),
            }
        }
        rounds += 1;
        if stopping {
            return;
        }
    }
}

/// Records the API calls counted since the last flush: one `usage.recorded` event of `api_calls`
/// per workspace and key (soft: the edge's daily quota already refused what was over it, and a
/// call that was served is never un-served). Calls that could not be recorded wait for the next
/// flush.
pub async fn record_api_calls(state: &AppState) {
    let now = state.config.clock.now();
    for ((ws, key), n) in state.activity.take_calls() {
        let r = async {
            let acc = account(state, ws).await?;
            let ent = feature_of(&acc, "api_calls")?;
            let (start, _) = ent.period_at(now, acc.tz, acc.anchor_day);
            let record = usage::record_api_calls(ws, key, n, &ent, start);
            let meta = keel_events::Metadata {
                actor: keel_events::Actor::ApiKey(key),
                ..keel_events::Metadata::system()
            };
            usage::append_record(&state.store, record, EventId::new_v7(), now, meta).await?;
            Ok::<(), ApiError>(())
        }
        .await;
        match r {
            Ok(()) => {}
            // A deleted workspace's calls have nowhere to go.
            Err(ApiError::NotFound(_)) => {}
            Err(e) => {
                tracing::warn!(error = %e, workspace = %ws, "could not record api_calls usage; will retry");
                state.activity.restore_calls(ws, key, n);
            }
        }
    }
}
