//! Delivery: the fan-out from the log into runs, the sender, and the recorder of outcomes.

use super::*;

// ---------------------------------------------------------------------------------------------
// Fan-out: the log, in commit order, into delivery rows.

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

/// Runs fan-out and sender until shutdown.
pub async fn run(store: SqlStore, settings: WebhookSettings, shutdown: watch::Receiver<bool>) {
    let sender = match Sender::new(&settings) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: cannot build the HTTP client; dispatcher not started");
            return;
        }
    };
    let wake = Arc::new(Notify::new());
    // Fresh deliveries go from the fan-out straight to this process's sender, already claimed
    // and with their payloads; the rest (retries, another process's leftovers) are polled.
    let (handoff, handed) = tokio::sync::mpsc::channel(8);
    // Outcomes are recorded by a task of their own, in batches, while sending goes on; the
    // channel is short, so few answered attempts are ever unrecorded (a crash repeats only those
    // and the ones in flight).
    let (outcomes, to_record) = tokio::sync::mpsc::channel(settings.concurrency.max(1) * 4);
    // Aborting this task (a crash, in tests) aborts the other two with it.
    let recorder = AbortOnDrop(Some(tokio::spawn(record_loop(
        store.clone(),
        settings.clone(),
        to_record,
    ))));
    let fan = AbortOnDrop(Some(tokio::spawn(fan_out(
        store.clone(),
        settings.clone(),
        handoff,
        wake.clone(),
        shutdown.clone(),
    ))));
    send_loop(store, sender, settings, handed, outcomes, wake, shutdown).await;
    fan.join().await;
    recorder.join().await;
}

struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl AbortOnDrop {
    async fn join(mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.await;
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}

/// What the recorder is given: the outcome of a retry, or a run with news.
enum Outcome {
    Single(Claimed, Result<Attempt, &'static str>),
    Run(Arc<RunState>),
}

/// Records outcomes as they arrive, everything waiting at once in one transaction. Ends when
/// every sender is gone.
async fn record_loop(
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

/// Runs claimed by the fan-out for this process, with their events.
struct Handoff<E = Opened> {
    runs: Vec<Arc<RunState>>,
    events: E,
}

/// What a page's fan-out hands on: the events' personal fields are still sealed (a task opens
/// them while the fan-out goes on with the next page).
type Sealed = Handoff<Vec<RecordedEvent>>;

/// Events by position, personal fields opened (or shown erased), for building payloads.
type Opened = Arc<HashMap<i64, RecordedEvent>>;

async fn open_events(db: &Db, events: Vec<RecordedEvent>) -> Result<Opened, sqlx::Error> {
    let mut conn = db.pool.acquire().await?;
    let pg = db.dialect == Dialect::Postgres;
    if pg {
        sqlx::query("BEGIN").execute(&mut *conn).await?;
        relaxed(db, &mut conn).await?;
    }
    let opened = keel_projections::personal::open_owned(&mut conn, events).await;
    if pg {
        let _ = sqlx::query("COMMIT").execute(&mut *conn).await;
    }
    let opened = opened?;
    Ok(Arc::new(
        opened.into_iter().map(|e| (e.position, e)).collect(),
    ))
}

/// One delivery of a run, as `webhook_runs.items` keeps it: pending while it has no `at`, a
/// success with its outcome once it has one. A failed first attempt leaves the run for a row
/// of `webhook_deliveries`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Item {
    pub(super) p: i64,
    pub(super) e: String,
    pub(super) t: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) c: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) b: Option<String>,
}

impl Item {
    fn pending(p: i64, e: String, t: &str) -> Item {
        Item {
            p,
            e,
            t: t.to_string(),
            c: None,
            ms: None,
            at: None,
            b: None,
        }
    }
}

fn run_id(webhook_id: &str, first_position: i64) -> String {
    format!("{webhook_id}@{first_position}")
}

/// A run this process is sending: its items and what has come back, until recorded.
struct RunState {
    run_id: String,
    webhook_id: String,
    tenant_id: String,
    /// The claim's number: a record for an older claim (a process whose lease ran out) is void.
    attempt: i64,
    created_at: String,
    inner: std::sync::Mutex<RunInner>,
}

struct RunInner {
    items: Vec<Item>,
    /// Failed first attempts by item, until their rows are written.
    failed: HashMap<usize, Result<Attempt, &'static str>>,
    /// Items answered, in the order they were (successes and failures).
    done: Vec<usize>,
    /// How many of `done` are recorded.
    recorded: usize,
    /// How many items were pending when claimed.
    to_send: usize,
    /// Whether the recorder has this run in its queue.
    queued: bool,
    last_queued: Instant,
}

/// A run's progress is written at most this often while it is under way (and at once when its
/// last item is answered): a crash repeats at most this much of a run, and the posts in flight.
const RUN_PROGRESS_EVERY: Duration = Duration::from_millis(100);

impl RunState {
    fn new(
        run_id: String,
        webhook_id: String,
        tenant_id: String,
        attempt: i64,
        created_at: String,
        items: Vec<Item>,
    ) -> RunState {
        let to_send = items.iter().filter(|i| i.at.is_none()).count();
        RunState {
            run_id,
            webhook_id,
            tenant_id,
            attempt,
            created_at,
            inner: std::sync::Mutex::new(RunInner {
                items,
                failed: HashMap::new(),
                done: Vec::new(),
                recorded: 0,
                to_send,
                queued: false,
                last_queued: Instant::now(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, RunInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The positions of the items still to send.
    fn positions_to_send(&self) -> Vec<i64> {
        self.lock()
            .items
            .iter()
            .filter(|i| i.at.is_none())
            .map(|i| i.p)
            .collect()
    }

    /// The items still to send, as deliveries.
    fn claims(self: &Arc<Self>) -> Vec<Claimed> {
        let g = self.lock();
        g.items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.at.is_none())
            .map(|(idx, i)| Claimed {
                delivery_id: delivery_id(&self.webhook_id, &i.e),
                webhook_id: self.webhook_id.clone(),
                position: i.p,
                target: Target::Run {
                    run: self.clone(),
                    idx,
                },
            })
            .collect()
    }

    /// Notes an item's outcome; true when the recorder should be told (the run is complete, or
    /// its progress was last written long enough ago).
    fn answered(&self, idx: usize, r: Result<Attempt, &'static str>) -> bool {
        let mut g = self.lock();
        match r {
            Ok(a) if a.success => {
                let it = &mut g.items[idx];
                it.c = a.status_code.map(i64::from);
                it.ms = Some(a.response_time_ms);
                it.b = a.response_body;
                it.at = Some(keel_schemas::format_ts(chrono::Utc::now()));
            }
            r => {
                g.failed.insert(idx, r);
            }
        }
        g.done.push(idx);
        let complete = g.done.len() >= g.to_send;
        if !g.queued && (complete || g.last_queued.elapsed() >= RUN_PROGRESS_EVERY) {
            g.queued = true;
            g.last_queued = Instant::now();
            true
        } else {
            false
        }
    }
}

/// What a record of a run writes: the items left in the run, the counts, and what was answered
/// since the last record, in order.
struct RunSnapshot {
    upto: usize,
    items: String,
    pending: i64,
    succeeded: i64,
    fresh: Vec<(Item, Result<Attempt, &'static str>)>,
}

impl RunState {
    fn snapshot(&self) -> RunSnapshot {
        let mut g = self.lock();
        g.queued = false;
        let upto = g.done.len();
        let fresh = g.done[g.recorded..upto]
            .iter()
            .map(|&i| {
                let r = match g.failed.get(&i) {
                    Some(r) => r.clone(),
                    None => Ok(Attempt {
                        success: true,
                        status_code: g.items[i].c.map(|c| c as u16),
                        response_time_ms: g.items[i].ms.unwrap_or_default(),
                        response_body: g.items[i].b.clone(),
                        error: None,
                    }),
                };
                (g.items[i].clone(), r)
            })
            .collect();
        let kept: Vec<&Item> = g
            .items
            .iter()
            .enumerate()
            .filter(|(i, _)| !g.failed.contains_key(i))
            .map(|(_, it)| it)
            .collect();
        let succeeded = kept.iter().filter(|i| i.at.is_some()).count() as i64;
        RunSnapshot {
            upto,
            pending: kept.len() as i64 - succeeded,
            succeeded,
            items: serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into()),
            fresh,
        }
    }

    fn recorded(&self, upto: usize) {
        let mut g = self.lock();
        g.recorded = g.recorded.max(upto);
    }
}

/// Until when a batch of `n` claimed deliveries is this process's: long enough even if every
/// attempt runs into the timeout.
fn lease_for(n: usize, s: &WebhookSettings) -> String {
    let rounds = n.div_ceil(s.concurrency.max(1)) as u32 + 1;
    let lease = chrono::Duration::from_std(s.timeout * rounds + Duration::from_secs(5))
        .unwrap_or_else(|_| chrono::Duration::hours(1));
    keel_schemas::format_ts(chrono::Utc::now() + lease)
}

/// The dispatcher's transactions commit without waiting for the disk (Postgres): losing one in
/// a database crash only repeats work (a page fanned out again finds its runs; an outcome not
/// recorded means one more attempt under the same id), never loses a delivery.
///
/// They also look rows up by key, always: the tables they join a batch of keys to (deliveries,
/// visitors' keys) grow by thousands of rows a second, their statistics lag, and the planner
/// then hashes the batch against a scan of the whole table, which makes delivery quadratic.
async fn relaxed(db: &Db, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    if db.dialect == Dialect::Postgres {
        for set in [
            "SET LOCAL synchronous_commit = off",
            "SET LOCAL enable_hashjoin = off",
            "SET LOCAL enable_mergejoin = off",
        ] {
            sqlx::query(set).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

async fn fan_out(
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
    while !*shutdown.borrow() {
        let cursor = load_checkpoint(&mut conn, CHECKPOINT).await?;
        let page = store.read_all(cursor, PAGE).await?;
        let Some((last, _)) = page.last() else {
            tokio::select! {
                _ = commits.changed() => {}
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
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

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
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
        for s in list {
            // An endpoint is never sent events about itself (its own creation, its disabling).
            if s.active
                && !s.deleted
                && about.as_deref() != Some(s.id.as_str())
                && subscribed(&s.events, e.event_type())
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

// ---------------------------------------------------------------------------------------------
// Sending: claim due deliveries under a lease, post them, record the outcome.

struct Claimed {
    delivery_id: String,
    webhook_id: String,
    position: i64,
    target: Target,
}

enum Target {
    /// A row of `webhook_deliveries` (a retry): its tenant and the attempt's number.
    Single { tenant_id: String, attempt: i64 },
    /// An item of a run.
    Run { run: Arc<RunState>, idx: usize },
}

async fn send_loop(
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
fn after_failure(
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
