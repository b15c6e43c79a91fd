//! The sender: runs handed over by the fan-out and due retries, delivered under a lease.

use super::*;

pub(super) struct Claimed {
    pub(super) delivery_id: String,
    pub(super) webhook_id: String,
    pub(super) position: i64,
    pub(super) target: Target,
}

pub(super) enum Target {
    /// A row of `webhook_deliveries` (a retry): its tenant and the attempt's number.
    Single { tenant_id: String, attempt: i64 },
    /// An item of a run.
    Run { run: Arc<RunState>, idx: usize },
}

pub(super) async fn send_loop(
    store: SqlStore,
    sender: Sender,
    settings: WebhookSettings,
    mut handed: tokio::sync::mpsc::Receiver<Handoff>,
    outcomes: tokio::sync::mpsc::Sender<Outcome>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut next: Option<Handoff> = None;
    let mut inflight = InFlight::new(&settings);
    while !*shutdown.borrow() {
        if let Some(h) = next.take().or_else(|| handed.try_recv().ok()) {
            let claimed = h.runs.iter().flat_map(|r| r.claims()).collect();
            if let Err(e) =
                deliver(&store, &sender, claimed, h.events, &outcomes, &mut inflight).await
            {
                tracing::warn!(error = %e, "webhooks sender: {e:#}");
            }
            continue;
        }
        match send_due(&store, &sender, &settings, &outcomes, &mut inflight).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhooks sender: {e:#}"),
        }
        tokio::select! {
            h = handed.recv() => next = h,
            _ = wake.notified() => {}
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
    // Posts under way finish and have their outcomes recorded (else their leases end and they
    // are sent again, under the same id).
    inflight
        .drain(settings.timeout + Duration::from_secs(1))
        .await;
}

/// Claims and sends due runs (another process's leftovers, pages the fan-out could not hand
/// over) and due retries; returns how many deliveries.
async fn send_due(
    store: &SqlStore,
    sender: &Sender,
    s: &WebhookSettings,
    outcomes: &tokio::sync::mpsc::Sender<Outcome>,
    inflight: &mut InFlight,
) -> anyhow::Result<usize> {
    let db = store.db();
    let now = keel_schemas::format_ts(chrono::Utc::now());
    let skip_locked = if db.dialect == Dialect::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    // Due runs, then a lease long enough for what they hold (the claim checks again that each
    // is still due: another process may have taken it in between).
    let due: Vec<(String, i64)> = sqlx::query(&format!(
        "SELECT run_id, pending FROM webhook_runs WHERE open = 1 AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at LIMIT {CLAIM_RUNS}"
    ))
    .bind(&now)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut runs: Vec<Arc<RunState>> = Vec::new();
    if !due.is_empty() {
        let pending: i64 = due.iter().map(|d| d.1).sum();
        let sql = format!(
            "UPDATE webhook_runs SET lease_until = $1, next_attempt_at = $1, attempt = attempt + 1, updated_at = $2 \
             WHERE open = 1 AND next_attempt_at <= $2 AND run_id IN ({}) \
             RETURNING run_id, webhook_id, tenant_id, attempt, created_at, items",
            placeholders(3, due.len())
        );
        let mut q = sqlx::query(&sql)
            .bind(lease_for(pending.max(0) as usize, s))
            .bind(&now);
        for (id, _) in &due {
            q = q.bind(id);
        }
        runs = q
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| {
                let items: String = r.get(5);
                Arc::new(RunState::new(
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    serde_json::from_str(&items).unwrap_or_default(),
                ))
            })
            .collect();
    }
    let mut claimed: Vec<Claimed> = runs.iter().flat_map(|r| r.claims()).collect();
    // Runs whose items were all answered before a crash: recorded as they are, which closes them.
    for r in runs.iter().filter(|r| r.lock().to_send == 0) {
        r.lock().queued = true;
        let _ = outcomes.send(Outcome::Run(r.clone())).await;
    }

    let claim = s.concurrency.max(1) * CLAIM_PER_SLOT;
    let lease = lease_for(claim, s);
    claimed.extend(
        sqlx::query(&format!(
            "UPDATE webhook_deliveries SET lease_until = $1, next_attempt_at = $1, attempt = attempt + 1, updated_at = $2 \
             WHERE delivery_id IN (SELECT delivery_id FROM webhook_deliveries WHERE status IN ('pending', 'retrying') \
             AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_attempt_at \
             LIMIT {claim}{skip_locked}) \
             RETURNING delivery_id, webhook_id, tenant_id, position, attempt"
        ))
        .bind(lease)
        .bind(&now)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Claimed {
            delivery_id: r.get(0),
            webhook_id: r.get(1),
            position: r.get(3),
            target: Target::Single {
                tenant_id: r.get(2),
                attempt: r.get(4),
            },
        }),
    );
    if claimed.is_empty() {
        return Ok(runs.len());
    }

    // The events, opened (personal fields of erased visitors stay erased).
    let mut positions: Vec<i64> = claimed.iter().map(|c| c.position).collect();
    positions.sort_unstable();
    positions.dedup();
    let mut conn = db.pool.acquire().await?;
    let mut events: Vec<RecordedEvent> = Vec::with_capacity(positions.len());
    for chunk in positions.chunks(1000) {
        let sql = format!(
            "SELECT {} FROM events WHERE position IN ({})",
            select_columns(db.dialect),
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q.bind(*p);
        }
        for r in q.fetch_all(&mut *conn).await? {
            events.push(decode_row(&r).map(|(_, e)| e)?);
        }
    }
    drop(conn);
    let events = open_events(db, events).await?;
    deliver(store, sender, claimed, events, outcomes, inflight).await
}

/// Sends claimed deliveries and hands each outcome to the recorder.
async fn deliver(
    store: &SqlStore,
    sender: &Sender,
    claimed: Vec<Claimed>,
    events: Opened,
    outcomes: &tokio::sync::mpsc::Sender<Outcome>,
    inflight: &mut InFlight,
) -> anyhow::Result<usize> {
    let db = store.db();
    if claimed.is_empty() {
        return Ok(0);
    }

    // The endpoints and their secrets.
    let mut hooks: Vec<&str> = claimed.iter().map(|c| c.webhook_id.as_str()).collect();
    hooks.sort();
    hooks.dedup();
    let sql = format!(
        "SELECT webhook_id, url, active, deleted, secret_version, previous_valid_until FROM webhook_subscriptions \
         WHERE webhook_id IN ({})",
        placeholders(1, hooks.len())
    );
    let mut q = sqlx::query(&sql);
    for h in &hooks {
        q = q.bind(*h);
    }
    type Endpoint = (Result<url::Url, String>, bool, bool, Vec<SigningKey>);
    let mut endpoints: HashMap<String, Endpoint> = HashMap::new();
    for r in q.fetch_all(&db.pool).await? {
        let id: String = r.get(0);
        let prev: Option<String> = r.get(5);
        let secrets = signing_secrets(db, &id, r.get(4), prev.as_deref()).await?;
        let url: String = r.get(1);
        endpoints.insert(
            id,
            (
                url::Url::parse(&url).map_err(|e| format!("bad URL: {e}")),
                r.get::<i64, _>(2) != 0,
                r.get::<i64, _>(3) != 0,
                secrets.iter().filter_map(|s| SigningKey::new(s)).collect(),
            ),
        );
    }

    // Each post is a task of the sender's set; a slot frees as soon as its post ends, so the
    // next batch's posts start while this one's slowest are still out.
    let endpoints = Arc::new(endpoints);
    let n = claimed.len();
    for c in claimed {
        let Ok(permit) = inflight.slots.clone().acquire_owned().await else {
            break;
        };
        let (endpoints, sender, outcomes, events) = (
            endpoints.clone(),
            sender.clone(),
            outcomes.clone(),
            events.clone(),
        );
        inflight.tasks.spawn(async move {
            let body = events.get(&c.position).map(payload);
            let r = match (endpoints.get(&c.webhook_id), body) {
                (None, _) | (Some((_, _, true, _)), _) => Err("the endpoint was deleted"),
                (Some((_, false, _, _)), _) => Err("the endpoint is disabled"),
                (_, None) => Err("the event is no longer readable"),
                (Some((Ok(url), true, false, secrets)), Some(body)) => {
                    Ok(sender.post_to(url, &c.delivery_id, body, secrets).await)
                }
                (Some((Err(_), _, _, _)), _) => Err("the endpoint's URL is not valid"),
            };
            match c.target {
                Target::Run { run, idx } => {
                    if run.answered(idx, r) {
                        let _ = outcomes.send(Outcome::Run(run)).await;
                    }
                }
                Target::Single { .. } => {
                    let _ = outcomes.send(Outcome::Single(c, r)).await;
                }
            }
            // The slot is held until the recorder has the outcome: a slow database slows the
            // posts down rather than piling up answers in memory.
            drop(permit);
        });
        while inflight.tasks.try_join_next().is_some() {}
    }
    Ok(n)
}

/// The posts under way: at most `concurrency` at once. Dropping it (a crash, in tests) aborts
/// them.
struct InFlight {
    slots: Arc<tokio::sync::Semaphore>,
    tasks: tokio::task::JoinSet<()>,
}

impl InFlight {
    fn new(s: &WebhookSettings) -> InFlight {
        InFlight {
            slots: Arc::new(tokio::sync::Semaphore::new(s.concurrency.max(1))),
            tasks: tokio::task::JoinSet::new(),
        }
    }

    /// Waits for the posts under way (at shutdown), at most `limit`.
    async fn drain(mut self, limit: Duration) {
        let _ = tokio::time::timeout(limit, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
    }
}

/// A failed attempt's fate: retried later (when the schedule has another wait) or failed.
pub(super) fn after_failure(
    s: &WebhookSettings,
    now: chrono::DateTime<chrono::Utc>,
    attempt_no: i64,
    r: &Result<Attempt, &'static str>,
) -> (&'static str, Option<String>) {
    match r {
        Err(_) => ("failed", None),
        Ok(a) if a.success => ("success", None),
        Ok(_) => match s.schedule.get((attempt_no - 1).max(0) as usize) {
            Some(wait) => {
                let jitter = rand::thread_rng().gen_range(0.8..1.2);
                let at = now + chrono::Duration::from_std(wait.mul_f64(jitter)).unwrap_or_default();
                ("retrying", Some(keel_schemas::format_ts(at)))
            }
            None => ("failed", None),
        },
    }
}
