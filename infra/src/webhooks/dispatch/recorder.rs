//! The recorder: outcomes of deliveries written in batches, by a task of its own.

use super::*;

/// Records outcomes as they arrive, everything waiting at once in one transaction. Ends when
/// every sender is gone.
pub(super) async fn record_loop(
    store: SqlStore,
    settings: WebhookSettings,
    mut to_record: tokio::sync::mpsc::Receiver<Outcome>,
) {
    while let Some(first) = to_record.recv().await {
        let mut batch = vec![first];
        while batch.len() < 1000 {
            match to_record.try_recv() {
                Ok(o) => batch.push(o),
                Err(_) => break,
            }
        }
        // Not recorded: the deliveries stay leased and are sent again when the lease ends.
        if let Err(e) = record(&store, &settings, &batch).await {
            tracing::warn!(error = %e, deliveries = batch.len(), "webhooks: outcomes not recorded: {e:#}");
        }
    }
}

/// Per endpoint: successes, failures, the failures since the batch's last success, whether the
/// batch had a success, and the tenant.
type Stats<'a> = HashMap<&'a str, (i64, i64, i64, bool, &'a str)>;

fn tally<'a>(
    stats: &mut Stats<'a>,
    hook: &'a str,
    tenant: &'a str,
    r: &Result<Attempt, &'static str>,
) {
    crate::metrics::WEBHOOK_DELIVERIES
        .with_label_values(&[match r {
            Ok(a) if a.success => "success",
            Err(_) => "dropped",
            Ok(_) => "failure",
        }])
        .inc();
    let Ok(a) = r else { return };
    let e = stats.entry(hook).or_insert((0, 0, 0, false, tenant));
    if a.success {
        e.0 += 1;
        e.2 = 0;
        e.3 = true;
    } else {
        e.1 += 1;
        e.2 += 1;
    }
}

async fn record(store: &SqlStore, s: &WebhookSettings, results: &[Outcome]) -> anyhow::Result<()> {
    let db = store.db();
    let now = chrono::Utc::now();
    let now_s = keel_schemas::format_ts(now);
    // Each run once, as it is now.
    let mut seen = std::collections::HashSet::new();
    let runs: Vec<(&Arc<RunState>, RunSnapshot)> = results
        .iter()
        .filter_map(|o| match o {
            Outcome::Run(r) if seen.insert(r.run_id.as_str()) => Some((r, r.snapshot())),
            _ => None,
        })
        .collect();
    let mut stats: Stats = HashMap::new();
    let mut conn = db.pool.acquire().await?;
    sqlx::query(db.begin_write()).execute(&mut *conn).await?;
    if let Err(e) = relaxed(db, &mut conn).await {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return Err(e.into());
    }
    // Retries: one statement for the whole chunk: (id, status, next attempt, code, body, ms, error).
    type Row = (
        String,
        &'static str,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let mut rows: Vec<Row> = Vec::new();
    for o in results {
        let Outcome::Single(c, r) = o else { continue };
        let Target::Single { tenant_id, attempt } = &c.target else {
            continue;
        };
        let (status, next) = after_failure(s, now, *attempt, r);
        tally(&mut stats, c.webhook_id.as_str(), tenant_id.as_str(), r);
        let a = r.as_ref().ok();
        rows.push((
            c.delivery_id.clone(),
            status,
            next,
            a.and_then(|a| a.status_code).map(i64::from),
            a.and_then(|a| a.response_body.clone()),
            a.map(|a| a.response_time_ms),
            match r {
                Err(e) => Some(e.to_string()),
                Ok(a) => a.error.clone(),
            },
        ));
    }
    let outcome = async {
        for chunk in rows.chunks(500) {
            let values = (0..chunk.len())
                .map(|i| {
                    let b = i * 7 + 1;
                    format!(
                        "(${}, ${}, ${}, CAST(${} AS BIGINT), ${}, CAST(${} AS BIGINT), ${})",
                        b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "WITH v (id, status, next_at, code, body, ms, error) AS (VALUES {values}) \
                 UPDATE webhook_deliveries SET status = v.status, next_attempt_at = v.next_at, lease_until = NULL, \
                 response_status = v.code, response_body = v.body, response_time_ms = v.ms, error = v.error, \
                 updated_at = $1, delivered_at = CASE WHEN v.status = 'success' THEN $1 ELSE webhook_deliveries.delivered_at END \
                 FROM v WHERE webhook_deliveries.delivery_id = v.id"
            );
            let mut q = sqlx::query(&sql).bind(&now_s);
            for (id, status, next, code, body, ms, error) in chunk {
                q = q
                    .bind(id)
                    .bind(*status)
                    .bind(next.as_deref())
                    .bind(*code)
                    .bind(body.as_deref())
                    .bind(*ms)
                    .bind(error.as_deref());
            }
            q.execute(&mut *conn).await?;
        }
        // Runs: what is left in each (pending items and successes), and a row for each failure.
        for (run, snap) in &runs {
            let open = i64::from(snap.pending > 0);
            let moved = sqlx::query(
                "UPDATE webhook_runs SET items = $1, pending = $2, succeeded = $3, open = $4, updated_at = $5, \
                 lease_until = CASE WHEN $4 = 1 THEN lease_until ELSE NULL END, \
                 next_attempt_at = CASE WHEN $4 = 1 THEN next_attempt_at ELSE NULL END \
                 WHERE run_id = $6 AND attempt = $7",
            )
            .bind(&snap.items)
            .bind(snap.pending)
            .bind(snap.succeeded)
            .bind(open)
            .bind(&now_s)
            .bind(&run.run_id)
            .bind(run.attempt)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if moved == 0 {
                // Claimed again by another process since (this one's lease ran out): its
                // record is the one that counts.
                continue;
            }
            for (item, r) in &snap.fresh {
                tally(&mut stats, run.webhook_id.as_str(), run.tenant_id.as_str(), r);
                if matches!(r, Ok(a) if a.success) {
                    continue;
                }
                let (status, next) = after_failure(s, now, run.attempt, r);
                let a = r.as_ref().ok();
                sqlx::query(
                    "INSERT INTO webhook_deliveries (delivery_id, webhook_id, tenant_id, event_id, event_type, position, \
                     status, attempt, next_attempt_at, response_status, response_body, response_time_ms, error, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                     ON CONFLICT (delivery_id) DO NOTHING",
                )
                .bind(delivery_id(&run.webhook_id, &item.e))
                .bind(&run.webhook_id)
                .bind(&run.tenant_id)
                .bind(&item.e)
                .bind(&item.t)
                .bind(item.p)
                .bind(status)
                .bind(run.attempt)
                .bind(next)
                .bind(a.and_then(|a| a.status_code).map(i64::from))
                .bind(a.and_then(|a| a.response_body.clone()))
                .bind(a.map(|a| a.response_time_ms))
                .bind(match r {
                    Err(e) => Some(e.to_string()),
                    Ok(a) => a.error.clone(),
                })
                .bind(&run.created_at)
                .bind(&now_s)
                .execute(&mut *conn)
                .await?;
            }
        }
        let mut to_disable = Vec::new();
        for (hook, (ok, failed, streak, reset, tenant)) in &stats {
            let row = sqlx::query(
                "INSERT INTO webhook_stats (webhook_id, success_count, failure_count, consecutive_failures, \
                 failing_since, last_delivery_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (webhook_id) DO UPDATE SET \
                 success_count = webhook_stats.success_count + excluded.success_count, \
                 failure_count = webhook_stats.failure_count + excluded.failure_count, \
                 consecutive_failures = CASE WHEN $7 = 1 THEN excluded.consecutive_failures \
                   ELSE webhook_stats.consecutive_failures + excluded.consecutive_failures END, \
                 failing_since = CASE WHEN excluded.consecutive_failures = 0 AND $7 = 1 THEN NULL \
                   WHEN $7 = 1 THEN excluded.failing_since \
                   ELSE COALESCE(webhook_stats.failing_since, excluded.failing_since) END, \
                 last_delivery_at = excluded.last_delivery_at \
                 RETURNING consecutive_failures, failing_since",
            )
            .bind(*hook)
            .bind(*ok)
            .bind(*failed)
            .bind(*streak)
            .bind(if *streak > 0 { Some(now_s.clone()) } else { None })
            .bind(&now_s)
            .bind(*reset as i64)
            .fetch_one(&mut *conn)
            .await?;
            let streak: i64 = row.get(0);
            let since: Option<String> = row.get(1);
            let period = chrono::Duration::from_std(s.disable_after_period).unwrap_or_default();
            let old_enough = since
                .as_deref()
                .and_then(|t| keel_schemas::parse_ts(t).ok())
                .is_some_and(|t| now - t >= period);
            if streak >= s.disable_after && old_enough {
                to_disable.push((hook.to_string(), tenant.to_string(), streak));
            }
        }
        Ok::<_, sqlx::Error>(to_disable)
    }
    .await;
    let to_disable = match outcome {
        Ok(d) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            d
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return Err(e.into());
        }
    };
    drop(conn);
    for (run, snap) in &runs {
        run.recorded(snap.upto);
    }
    for (hook, tenant, streak) in to_disable {
        disable(store, &hook, &tenant, streak).await?;
    }
    Ok(())
}

/// Records `webhook.disabled` through the aggregate (a no-op if it is off already).
async fn disable(store: &SqlStore, hook: &str, tenant: &str, streak: i64) -> anyhow::Result<()> {
    let (Ok(id), Ok(ws)) = (hook.parse::<WebhookId>(), tenant.parse::<WorkspaceId>()) else {
        anyhow::bail!("unreadable ids in webhook_deliveries: {hook} {tenant}");
    };
    let exec = keel_commands::Execution {
        tenant_id: ws,
        stream_id: StreamId::webhook(id),
        expected_version: None,
        metadata: Metadata::system(),
        now: chrono::Utc::now(),
        new_stream: false,
    };
    let command = WebhookCommand::Disable {
        reason: format!("{streak} consecutive failed deliveries"),
        consecutive_failures: streak,
    };
    match execute::<WebhookAggregate>(store, &exec, &command, EventId::new_v7).await {
        Ok(_) => {
            tracing::warn!(
                webhook = hook,
                streak,
                "webhook disabled after consecutive failures"
            );
            Ok(())
        }
        Err(keel_commands::CommandError::Rejected(keel_commands::DomainError::NotFound(_))) => {
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!("disabling webhook {hook}: {e}")),
    }
}
