//! Delivery, in three workers that run together: the fan-out from the log into runs
//! (`fan_out.rs`), the sender (`sender.rs`) and the recorder of outcomes (`recorder.rs`); here,
//! what they share: runs in flight, the hand-off from fan-out to sender, and the events opened
//! for payloads.

use super::*;

mod fan_out;
mod recorder;
mod sender;

use fan_out::fan_out;
use recorder::record_loop;
use sender::{after_failure, send_loop, Claimed, Target};

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

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
