//! The fan-out: the log, in commit order, into delivery runs of each subscribed webhook.

use super::*;

#[derive(Debug, Clone)]
struct Sub {
    id: String,
    tenant: String,
    url: String,
    events: Vec<String>,
    active: bool,
    deleted: bool,
    secret_version: i64,
    previous_valid_until: Option<String>,
    dirty: bool,
}

pub(super) async fn fan_out(
    store: SqlStore,
    settings: WebhookSettings,
    handoff: tokio::sync::mpsc::Sender<Handoff>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(200);
    while !*shutdown.borrow() {
        match lead(&store, &settings, &handoff, &wake, &mut shutdown).await {
            Ok(()) => backoff = Duration::from_millis(200),
            Err(e) => {
                tracing::warn!(error = %e, "webhooks fan-out: {e:#}; retrying in {backoff:?}");
                tokio::select! { _ = tokio::time::sleep(backoff) => {}, _ = shutdown.changed() => {} }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

async fn lead(
    store: &SqlStore,
    settings: &WebhookSettings,
    handoff: &tokio::sync::mpsc::Sender<Handoff>,
    wake: &Notify,
    shutdown: &mut watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let db = store.db();
    let mut conn = db.dedicated().await?;
    if db.dialect == Dialect::Postgres {
        loop {
            let got: bool = sqlx::query("SELECT pg_try_advisory_lock($1)")
                .bind(LEADER_LOCK)
                .fetch_one(&mut conn)
                .await?
                .try_get(0)?;
            if got {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return Ok(()),
            }
        }
    }
    let mut commits = store.commits();
    // The leader alone moves the checkpoint: it reads it once and keeps it in memory.
    let mut cursor = load_checkpoint(&mut conn, CHECKPOINT).await?;
    let mut at_end = false;
    while !*shutdown.borrow() {
        if at_end {
            tokio::select! {
                _ = commits.changed() => {}
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
        let page = store.read_all(cursor, PAGE).await?;
        // A short page is the end of the log for now: the next round waits for a commit.
        at_end = page.len() < PAGE;
        let Some((last, _)) = page.last() else {
            continue;
        };
        let last = *last;
        // Room for a hand-off means this process sends the page's deliveries itself. The
        // fan-out waits a moment for its sender to catch up; past that (slow endpoints), the
        // page's deliveries go to the table for any process's sender to claim.
        let permit = tokio::time::timeout(Duration::from_secs(1), handoff.clone().reserve_owned())
            .await
            .ok()
            .and_then(Result::ok);
        sqlx::query(db.begin_write()).execute(&mut conn).await?;
        let result = async {
            relaxed(db, &mut conn).await?;
            let out =
                fan_out_page(db, &mut conn, &page, permit.is_some().then_some(settings)).await?;
            save_checkpoint(&mut conn, CHECKPOINT, last).await?;
            Ok::<_, sqlx::Error>(out)
        }
        .await;
        match result {
            Ok((n, handed)) => {
                sqlx::query("COMMIT").execute(&mut conn).await?;
                cursor = last;
                if n > 0 {
                    crate::metrics::WEBHOOK_DELIVERIES
                        .with_label_values(&["created"])
                        .inc_by(n as u64);
                    match (permit, handed) {
                        (Some(p), Some(mut h)) if !h.runs.is_empty() => {
                            let positions: std::collections::HashSet<i64> =
                                h.runs.iter().flat_map(|r| r.positions_to_send()).collect();
                            h.events = page
                                .into_iter()
                                .map(|(_, e)| e)
                                .filter(|e| positions.contains(&e.position))
                                .collect();
                            // The events are opened beside the next page's fan-out.
                            let db = db.clone();
                            tokio::spawn(async move {
                                match open_events(&db, h.events).await {
                                    Ok(events) => {
                                        p.send(Handoff {
                                            runs: h.runs,
                                            events,
                                        });
                                    }
                                    // Not sent: the runs stay leased, and are claimed again
                                    // when the lease ends.
                                    Err(e) => tracing::warn!(error = %e, "webhooks: {e:#}"),
                                }
                            });
                        }
                        _ => wake.notify_one(),
                    }
                }
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
                return Err(e.into());
            }
        }
    }
    Ok(())
}

/// Applies one page: folds `webhook.*` events into the subscriptions and makes one delivery run
/// per endpoint with the page's events that endpoint takes. Returns how many deliveries it made
/// and, when `claim` is given, the runs it made already claimed for this process, with the
/// events' bodies.
async fn fan_out_page(
    db: &Db,
    conn: &mut AnyConnection,
    page: &[(LogCursor, RecordedEvent)],
    claim: Option<&WebhookSettings>,
) -> Result<(usize, Option<Sealed>), sqlx::Error> {
    let mut tenants: Vec<String> = page.iter().map(|(_, e)| e.tenant_id.to_string()).collect();
    tenants.sort();
    tenants.dedup();
    let mut subs: HashMap<String, Vec<Sub>> = HashMap::new();
    for chunk in tenants.chunks(500) {
        let sql = format!(
            "SELECT webhook_id, tenant_id, url, events, active, deleted, secret_version, previous_valid_until \
             FROM webhook_subscriptions WHERE deleted = 0 AND tenant_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for t in chunk {
            q = q.bind(t);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let events: String = r.get(3);
            subs.entry(r.get(1)).or_default().push(Sub {
                id: r.get(0),
                tenant: r.get(1),
                url: r.get(2),
                events: serde_json::from_str(&events).unwrap_or_default(),
                active: r.get::<i64, _>(4) != 0,
                deleted: r.get::<i64, _>(5) != 0,
                secret_version: r.get(6),
                previous_valid_until: r.get(7),
                dirty: false,
            });
        }
    }
    let now = keel_schemas::format_ts(chrono::Utc::now());
    // Per endpoint, in order of first match: (tenant, items in log order).
    let mut runs: Vec<(String, String, Vec<Item>)> = Vec::new();
    let mut run_of: HashMap<String, usize> = HashMap::new();
    for (_, e) in page {
        let tenant = e.tenant_id.to_string();
        let about = fold(subs.entry(tenant.clone()).or_default(), &tenant, &e.event);
        let Some(list) = subs.get(&tenant) else {
            continue;
        };
        let channels = alert_channels(&e.event);
        for s in list {
            // An endpoint is never sent events about itself (its own creation, its disabling).
            if s.active
                && !s.deleted
                && about.as_deref() != Some(s.id.as_str())
                && (subscribed(&s.events, e.event_type()) || channels.contains(&s.id))
            {
                let i = *run_of.entry(s.id.clone()).or_insert_with(|| {
                    runs.push((s.id.clone(), tenant.clone(), Vec::new()));
                    runs.len() - 1
                });
                runs[i].2.push(Item::pending(
                    e.position,
                    e.event_id.to_string(),
                    e.event_type(),
                ));
            }
        }
    }
    for list in subs.values() {
        for s in list.iter().filter(|s| s.dirty) {
            save_sub(conn, s).await?;
        }
    }
    let made: usize = runs.iter().map(|r| r.2.len()).sum();
    let lease = claim.map(|s| lease_for(made, s));
    let attempt = i64::from(lease.is_some());
    let mut inserted = std::collections::HashSet::new();
    for chunk in runs.chunks(50) {
        const COLS: usize = 13;
        let values = (0..chunk.len())
            .map(|i| {
                let b = i * COLS;
                format!(
                    "({})",
                    (b + 1..=b + COLS)
                        .map(|k| format!("${k}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO webhook_runs (run_id, webhook_id, tenant_id, first_position, last_position, open, attempt, \
             pending, next_attempt_at, lease_until, created_at, updated_at, items) VALUES {values} \
             ON CONFLICT (run_id) DO NOTHING RETURNING run_id"
        );
        let mut q = sqlx::query(&sql);
        for (hook, tenant, items) in chunk {
            let first = items.first().map(|i| i.p).unwrap_or_default();
            let last = items.last().map(|i| i.p).unwrap_or_default();
            // A claimed run is not due until its lease ends: the due index then holds only
            // what a sender may take, however many runs are in flight.
            q = q
                .bind(run_id(hook, first))
                .bind(hook.as_str())
                .bind(tenant.as_str())
                .bind(first)
                .bind(last)
                .bind(1i64)
                .bind(attempt)
                .bind(items.len() as i64)
                .bind(lease.as_deref().unwrap_or(&now))
                .bind(lease.as_deref())
                .bind(&now)
                .bind(&now)
                .bind(serde_json::to_string(items).unwrap_or_else(|_| "[]".into()));
        }
        for r in q.fetch_all(&mut *conn).await? {
            inserted.insert(r.get::<String, _>(0));
        }
    }
    if lease.is_none() || inserted.is_empty() {
        return Ok((made, None));
    }
    // What this process will send: the runs it just made (a page done before made none), with
    // their events.
    let runs: Vec<Arc<RunState>> = runs
        .into_iter()
        .filter(|(hook, _, items)| inserted.contains(&run_id(hook, items[0].p)))
        .map(|(hook, tenant, items)| {
            Arc::new(RunState::new(
                run_id(&hook, items[0].p),
                hook,
                tenant,
                attempt,
                now.clone(),
                items,
            ))
        })
        .collect();
    let _ = db;
    // The events themselves are moved out of the page by the caller, once committed.
    Ok((
        made,
        Some(Handoff {
            runs,
            events: Vec::new(),
        }),
    ))
}

/// Folds a `webhook.*` event into the tenant's subscriptions; returns the endpoint it is about.
fn fold(list: &mut Vec<Sub>, tenant: &str, e: &DomainEvent) -> Option<String> {
    let find = |list: &mut Vec<Sub>, id: WebhookId| {
        let id = id.to_string();
        list.iter().position(|s| s.id == id)
    };
    match e {
        DomainEvent::WebhookCreated(c) => {
            list.retain(|s| s.id != c.webhook_id.to_string());
            list.push(Sub {
                id: c.webhook_id.to_string(),
                tenant: tenant.to_string(),
                url: c.url.clone(),
                events: c.events.clone(),
                active: c.active,
                deleted: false,
                secret_version: c.secret_version,
                previous_valid_until: None,
                dirty: true,
            });
            Some(c.webhook_id.to_string())
        }
        DomainEvent::WebhookUpdated(u) => {
            let i = find(list, u.webhook_id)?;
            let s = &mut list[i];
            if let Some(url) = &u.url {
                s.url = url.clone();
            }
            if let Some(p) = &u.events {
                s.events = p.clone();
            }
            if let Some(a) = u.active {
                s.active = a;
            }
            s.dirty = true;
            Some(s.id.clone())
        }
        DomainEvent::WebhookSecretRotated(r) => {
            let i = find(list, r.webhook_id)?;
            let s = &mut list[i];
            s.secret_version = r.secret_version;
            s.previous_valid_until = Some(keel_schemas::format_ts(r.previous_valid_until));
            s.dirty = true;
            Some(s.id.clone())
        }
        DomainEvent::WebhookDisabled(d) => {
            let i = find(list, d.webhook_id)?;
            list[i].active = false;
            list[i].dirty = true;
            Some(list[i].id.clone())
        }
        DomainEvent::WebhookDeleted(d) => {
            let i = find(list, d.webhook_id)?;
            list[i].active = false;
            list[i].deleted = true;
            list[i].dirty = true;
            Some(list[i].id.clone())
        }
        _ => None,
    }
}

async fn save_sub(conn: &mut AnyConnection, s: &Sub) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_subscriptions (webhook_id, tenant_id, url, events, active, deleted, secret_version, \
         previous_valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (webhook_id) DO UPDATE SET \
         url = excluded.url, events = excluded.events, active = excluded.active, deleted = excluded.deleted, \
         secret_version = excluded.secret_version, previous_valid_until = excluded.previous_valid_until",
    )
    .bind(&s.id)
    .bind(&s.tenant)
    .bind(&s.url)
    .bind(serde_json::to_string(&s.events).unwrap_or_else(|_| "[]".into()))
    .bind(s.active as i64)
    .bind(s.deleted as i64)
    .bind(s.secret_version)
    .bind(s.previous_valid_until.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

// Sending: claim due deliveries under a lease, post them, record the outcome.

/// The endpoints an alert's firing or resolution is for (its webhook channels), whatever event
/// types they subscribe to.
fn alert_channels(e: &DomainEvent) -> Vec<String> {
    let ids = match e {
        DomainEvent::AlertFired(f) => &f.webhook_ids,
        DomainEvent::AlertResolved(r) => &r.webhook_ids,
        _ => return vec![],
    };
    ids.iter().map(ToString::to_string).collect()
}
