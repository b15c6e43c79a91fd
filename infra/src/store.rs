//! The SQL event store (Postgres and SQLite through `sqlx::Any`), with group commit: appends from
//! many concurrent requests queue up and a single writer commits them in few transactions, each
//! request isolated by a savepoint so one refusal never affects another.

use crate::inline;
use crate::metrics;
use async_trait::async_trait;
use chrono::Utc;
use keel_commands::{
    check_expected, AppendOutcome, AppendRequest, EventStore, LogCursor, StoreError,
};
use keel_events::{EventId, Metadata, NewEvent, RecordedEvent, StreamId, WorkspaceId};
use keel_projections::{Db, Dialect};
use keel_schemas::{format_ts, from_stored, parse_ts, to_stored};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};

/// Most requests one group-commit transaction takes.
const MAX_BATCH: usize = 512;
/// Most events one append request may carry.
pub const MAX_EVENTS_PER_APPEND: usize = 1000;

type Reply = oneshot::Sender<Result<AppendOutcome, StoreError>>;

struct Job {
    request: AppendRequest,
    reply: Reply,
    /// Times this job was moved to a later batch.
    retries: u8,
}

/// A job goes into the next batch when it queued behind a same-stream request that may be refused,
/// or when `Any` met another process's append after this transaction's snapshot.
const MAX_RETRIES: u8 = 20;

#[derive(Clone)]
pub struct SqlStore {
    db: Db,
    /// One queue per writer; a tenant (and so each of its streams) always goes to the same writer.
    jobs: Arc<Vec<mpsc::Sender<Job>>>,
    commits: watch::Receiver<u64>,
}

pub(crate) fn db_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::Io(_)
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Database(d)
            if d.code()
                .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Internal(e.to_string()),
    }
}

/// Serialization failure or deadlock: the transaction lost a race and may be retried.
fn is_serialization_failure(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40001" | "40P01")))
}

fn unique_violation(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation => Some(
            format!("{} {}", d.constraint().unwrap_or_default(), d.message()),
        ),
        _ => None,
    }
}

/// Knobs of the writer.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreOptions {
    /// Fault injection for tests: hold every transaction open this long before committing, to
    /// prove that tailing readers never pass over a transaction that commits late.
    pub pre_commit_delay: Option<std::time::Duration>,
    /// Writer connections (Postgres only; default [`WRITERS_POSTGRES`]).
    pub writers: Option<usize>,
}

/// Group-commit writers per process on Postgres. Appends of one tenant always meet in the same
/// writer: a batch plans a stream's appends together, and the tenant's registry rows (slug, key
/// quota) are never written by two writers of one process at once.
pub const WRITERS_POSTGRES: usize = 4;

impl SqlStore {
    /// Starts the group-commit writer on its own connection.
    pub async fn start(db: Db) -> Result<SqlStore, StoreError> {
        Self::start_with(db, StoreOptions::default()).await
    }

    pub async fn start_with(db: Db, options: StoreOptions) -> Result<SqlStore, StoreError> {
        // Postgres commits in parallel from several connections; SQLite has one write lock.
        let writers = match db.dialect {
            Dialect::Postgres => options.writers.unwrap_or(WRITERS_POSTGRES).max(1),
            Dialect::Sqlite => 1,
        };
        let (commit_tx, commits) = watch::channel(0u64);
        let commit_tx = Arc::new(commit_tx);
        let mut jobs = Vec::with_capacity(writers);
        for _ in 0..writers {
            let conn = db.dedicated().await.map_err(db_error)?;
            let (tx, rx) = mpsc::channel(4096);
            tokio::spawn(writer(db.clone(), options, conn, rx, commit_tx.clone()));
            jobs.push(tx);
        }
        Ok(SqlStore {
            db,
            jobs: Arc::new(jobs),
            commits,
        })
    }

    /// How many group-commit transactions this store has committed.
    pub fn batches_committed(&self) -> u64 {
        *self.commits.borrow()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Changes every time a batch commits; tailers wait on it instead of polling hard.
    pub fn commits(&self) -> watch::Receiver<u64> {
        self.commits.clone()
    }

    /// The stream an event belongs to, by position (for read-your-writes checks).
    pub async fn stream_of_position(&self, position: i64) -> Result<Option<StreamId>, StoreError> {
        let row = sqlx::query("SELECT stream_id FROM events WHERE position = $1")
            .bind(position)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_error)?;
        Ok(row.map(|r| StreamId(r.get::<String, _>(0))))
    }

    /// The highest committed position (0 for an empty log).
    pub async fn head(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(position), 0) FROM events")
            .fetch_one(&self.db.pool)
            .await
            .map_err(db_error)?;
        Ok(row.get::<i64, _>(0))
    }
}

async fn writer(
    db: Db,
    options: StoreOptions,
    mut conn: AnyConnection,
    mut rx: mpsc::Receiver<Job>,
    commits: Arc<watch::Sender<u64>>,
) {
    let mut carry: Vec<Job> = Vec::new();
    loop {
        let mut jobs = std::mem::take(&mut carry);
        if jobs.is_empty() {
            if rx.recv_many(&mut jobs, MAX_BATCH).await == 0 {
                return; // every sender dropped: the store is gone
            }
        } else {
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
        }
        let timer = metrics::APPEND_BATCH_SECONDS.start_timer();
        let result = commit_batch(&db, options, &mut conn, &jobs).await;
        timer.observe_duration();
        match result {
            Ok(results) => {
                let appended: usize = results
                    .iter()
                    .zip(&jobs)
                    .filter(|(r, _)| matches!(r, Some(Ok(o)) if !o.duplicate))
                    .map(|(_, j)| j.request.events.len())
                    .sum();
                metrics::EVENTS_APPENDED.inc_by(appended as u64);
                commits.send_modify(|n| *n += 1);
                for (mut job, r) in jobs.into_iter().zip(results) {
                    let retry = match &r {
                        None => true,
                        Some(Err(StoreError::Conflict { .. })) => {
                            job.request.expected == keel_events::ExpectedVersion::Any
                        }
                        _ => false,
                    };
                    if retry && job.retries < MAX_RETRIES {
                        job.retries += 1;
                        carry.push(job);
                    } else {
                        let r = r.unwrap_or_else(|| {
                            Err(StoreError::Unavailable(
                                "append could not be scheduled; retry".into(),
                            ))
                        });
                        let _ = job.reply.send(r);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, requests = jobs.len(), "group commit failed; batch rolled back");
                for job in jobs {
                    let _ = job.reply.send(Err(e.clone()));
                }
                // The connection may be broken or mid-transaction: start afresh.
                match db.dedicated().await {
                    Ok(c) => conn = c,
                    Err(e) => {
                        tracing::error!(error = %e, "event-store writer cannot reconnect; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        if let Ok(c) = db.dedicated().await {
                            conn = c;
                        }
                    }
                }
            }
        }
    }
}

async fn begin(db: &Db, conn: &mut AnyConnection) -> Result<(), StoreError> {
    match db.dialect {
        // Snapshot and transaction id are taken together, first: everything this transaction can
        // build on (a stream's previous version) then has a smaller txid, so tailing by
        // (txid, position) always yields a stream's events in version order.
        Dialect::Postgres => {
            sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            sqlx::query("SELECT pg_current_xact_id()::text")
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
        }
        Dialect::Sqlite => {
            sqlx::query(db.begin_write())
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
        }
    }
    Ok(())
}

/// A job's result; `None` asks for the job to go into the next batch.
type JobResult = Option<Result<AppendOutcome, StoreError>>;

/// One transaction for the whole batch. Planned in memory from two lookups and written with one
/// multi-row insert; requests whose inline projections can refuse run under savepoints. An
/// infrastructure error fails the whole batch (the caller sees an error and nothing was written).
async fn commit_batch(
    db: &Db,
    options: StoreOptions,
    conn: &mut AnyConnection,
    jobs: &[Job],
) -> Result<Vec<JobResult>, StoreError> {
    begin(db, conn).await?;
    let results = match planned_batch(db, conn, jobs).await {
        Ok(r) => r,
        // The bulk insert lost a race with another process: redo the batch request by request.
        Err(AppendFailure::Refused(_)) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            begin(db, conn).await?;
            match one_by_one(db, conn, jobs).await {
                Ok(r) => r,
                Err(e) => {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    return Err(e);
                }
            }
        }
        Err(AppendFailure::Fatal(e)) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return Err(e);
        }
    };
    if let Some(delay) = options.pre_commit_delay {
        tokio::time::sleep(delay).await;
    }
    if let Err(e) = sqlx::query("COMMIT").execute(&mut *conn).await {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return Err(db_error(e));
    }
    Ok(results)
}

/// Runs one request under a savepoint: its refusal undoes only its own writes.
async fn with_savepoint(
    db: &Db,
    conn: &mut AnyConnection,
    req: &AppendRequest,
) -> Result<JobResult, StoreError> {
    sqlx::query("SAVEPOINT append")
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    match append_one(db, conn, req).await {
        Ok(outcome) => {
            sqlx::query("RELEASE SAVEPOINT append")
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            Ok(Some(Ok(outcome)))
        }
        Err(AppendFailure::Refused(e)) => {
            sqlx::query("ROLLBACK TO SAVEPOINT append")
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            sqlx::query("RELEASE SAVEPOINT append")
                .execute(&mut *conn)
                .await
                .map_err(db_error)?;
            Ok(Some(Err(e)))
        }
        Err(AppendFailure::Fatal(e)) => Err(e),
    }
}

async fn one_by_one(
    db: &Db,
    conn: &mut AnyConnection,
    jobs: &[Job],
) -> Result<Vec<JobResult>, StoreError> {
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        results.push(with_savepoint(db, conn, &job.request).await?);
    }
    Ok(results)
}

/// Lookups in chunks, to stay far below every backend's parameter limit.
const LOOKUP_CHUNK: usize = 500;

fn placeholders(db: &Db, n: usize, uuid: bool) -> String {
    (1..=n)
        .map(|i| match (db.dialect, uuid) {
            (Dialect::Postgres, true) => format!("CAST(${i} AS uuid)"),
            _ => format!("${i}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

enum Plan {
    Done(Result<AppendOutcome, StoreError>),
    Bulk { first_version: i64 },
    Special,
    Retry,
}

async fn planned_batch(
    db: &Db,
    conn: &mut AnyConnection,
    jobs: &[Job],
) -> Result<Vec<JobResult>, AppendFailure> {
    use std::collections::HashSet;
    // 1. Current versions of every stream, and which event ids exist already.
    let streams: Vec<&str> = {
        let mut seen = HashSet::new();
        jobs.iter()
            .map(|j| j.request.stream_id.as_str())
            .filter(|s| seen.insert(*s))
            .collect()
    };
    let mut versions: HashMap<String, i64> = HashMap::new();
    for chunk in streams.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT stream_id, MAX(stream_version) FROM events WHERE stream_id IN ({}) GROUP BY stream_id",
            placeholders(db, chunk.len(), false)
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q.bind(*s);
        }
        for r in q.fetch_all(&mut *conn).await? {
            versions.insert(r.get(0), r.get(1));
        }
    }
    let ids: Vec<String> = jobs
        .iter()
        .flat_map(|j| j.request.events.iter().map(|e| e.event_id.to_string()))
        .collect();
    let mut existing: HashMap<String, (i64, i64)> = HashMap::new();
    let id_column = match db.dialect {
        Dialect::Postgres => "event_id::text",
        Dialect::Sqlite => "event_id",
    };
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT {id_column}, position, stream_version FROM events WHERE event_id IN ({})",
            placeholders(db, chunk.len(), true)
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            existing.insert(r.get(0), (r.get(1), r.get(2)));
        }
    }

    // Usage counters under hard limits that the batch touches, locked and read.
    let mut ledger = inline::UsageLedger::lock(db, conn, jobs.iter().map(|j| &j.request)).await?;
    // Slugs of the batch's new workspaces that are taken already: a workspace creation is then
    // planned like any other append (its registry row cannot be refused but for a race with
    // another process, which sends the batch down the request-by-request path).
    let new_slugs: Vec<&str> = jobs
        .iter()
        .filter_map(|j| inline::new_workspace_slug(&j.request))
        .collect();
    let taken = inline::slugs_taken(conn, &new_slugs).await?;
    let mut batch_slugs: HashSet<&str> = HashSet::new();
    // Room for the batch's new keys under their workspaces' quotas (rows locked), consumed in
    // arrival order: a key creation is then planned like any other append too.
    let key_workspaces: Vec<String> = jobs
        .iter()
        .filter_map(|j| inline::new_key(&j.request))
        .map(|k| k.workspace_id.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut key_room = inline::key_room(db, conn, &key_workspaces, &format_ts(Utc::now())).await?;
    let mut planned_keys: HashSet<EventId> = HashSet::new();

    // 2. Plan every request in memory, in arrival order.
    let mut plans = Vec::with_capacity(jobs.len());
    let mut claimed: HashSet<EventId> = HashSet::new();
    let mut special_streams: HashSet<&str> = HashSet::new();
    for job in jobs {
        let req = &job.request;
        let stream = req.stream_id.as_str();
        if special_streams.contains(stream) {
            plans.push(Plan::Retry); // behind a request that may be refused: next batch
            continue;
        }
        let current = versions.get(stream).copied().unwrap_or(0);
        if req.events.is_empty() {
            let r = check_expected(&req.stream_id, req.expected, current).map(|()| AppendOutcome {
                first_position: 0,
                last_position: 0,
                stream_version: current,
                duplicate: false,
            });
            plans.push(Plan::Done(r));
            continue;
        }
        let found: Vec<(i64, i64)> = req
            .events
            .iter()
            .filter_map(|e| existing.get(&e.event_id.to_string()).copied())
            .collect();
        if found.len() == req.events.len() {
            let (first, last) = (found.iter().min().copied(), found.iter().max().copied());
            let (first, last) = (first.unwrap_or_default(), last.unwrap_or_default());
            plans.push(Plan::Done(Ok(AppendOutcome {
                first_position: first.0,
                last_position: last.0,
                stream_version: last.1,
                duplicate: true,
            })));
            continue;
        }
        if !found.is_empty() {
            plans.push(Plan::Done(Err(StoreError::EventIdReused(
                req.events[0].event_id,
            ))));
            continue;
        }
        if req.events.iter().any(|e| claimed.contains(&e.event_id)) {
            plans.push(Plan::Retry); // the same ids twice in one batch: next batch sees the first
            continue;
        }
        let new_slug = inline::new_workspace_slug(req);
        if let Some(slug) = new_slug {
            if taken.contains(slug) || !batch_slugs.insert(slug) {
                plans.push(Plan::Done(Err(StoreError::Rejected(
                    keel_commands::DomainError::SlugTaken(slug.to_string()),
                ))));
                continue;
            }
        }
        let new_key = inline::new_key(req);
        if let Some(k) = new_key {
            match key_room.get(&k.workspace_id.to_string()) {
                None => {
                    plans.push(Plan::Done(Err(StoreError::Rejected(
                        keel_commands::DomainError::NotFound("workspace"),
                    ))));
                    continue;
                }
                Some((room, limit)) if *room <= 0 => {
                    plans.push(Plan::Done(Err(StoreError::Rejected(
                        keel_commands::DomainError::KeyLimitReached { limit: *limit },
                    ))));
                    continue;
                }
                Some(_) => {}
            }
        }
        if new_slug.is_none()
            && new_key.is_none()
            && req.events.iter().any(|e| inline::may_refuse(&e.event))
        {
            special_streams.insert(stream);
            plans.push(Plan::Special);
            continue;
        }
        if let Err(e) = check_expected(&req.stream_id, req.expected, current) {
            plans.push(Plan::Done(Err(e)));
            continue;
        }
        if let Err(refusal) = ledger.reserve(req) {
            plans.push(Plan::Done(Err(StoreError::Rejected(refusal))));
            continue;
        }
        if let Some(k) = new_key {
            if let Some((room, _)) = key_room.get_mut(&k.workspace_id.to_string()) {
                *room -= 1;
            }
            planned_keys.insert(req.events[0].event_id);
        }
        claimed.extend(req.events.iter().map(|e| e.event_id));
        versions.insert(stream.to_string(), current + req.events.len() as i64);
        plans.push(Plan::Bulk {
            first_version: current + 1,
        });
    }

    // 3. One insert for every planned event (in chunks), then their inline projections.
    let mut rows: Vec<(&AppendRequest, &NewEvent, i64)> = Vec::new();
    for (job, plan) in jobs.iter().zip(&plans) {
        if let Plan::Bulk { first_version } = plan {
            for (i, e) in job.request.events.iter().enumerate() {
                rows.push((&job.request, e, first_version + i as i64));
            }
        }
    }
    let mut positions: HashMap<EventId, i64> = HashMap::new();
    let recorded_at = format_ts(Utc::now());
    for chunk in rows.chunks(MAX_EVENTS_PER_APPEND) {
        match insert_rows(db, conn, chunk, &recorded_at).await {
            Ok(p) => positions.extend(p),
            Err(e) => {
                return Err(match unique_violation(&e) {
                    Some(c) => AppendFailure::Refused(StoreError::Internal(c)),
                    None if is_serialization_failure(&e) => {
                        AppendFailure::Refused(StoreError::Internal(e.to_string()))
                    }
                    None => e.into(),
                })
            }
        }
    }
    for (req, e, _) in &rows {
        if matches!(e.event, keel_events::DomainEvent::UsageRecorded(_)) {
            continue; // counted by the ledger below
        }
        let position = positions.get(&e.event_id).copied().unwrap_or_default();
        match &e.event {
            keel_events::DomainEvent::ApiKeyCreated(k) if planned_keys.contains(&e.event_id) => {
                inline::insert_key(conn, k).await?
            }
            _ => inline::apply(db, conn, req.tenant_id, &e.event, e.occurred_at, position).await?,
        }
    }
    ledger.write(conn).await?;

    // 4. Requests whose inline projections may refuse, each under a savepoint; then the results.
    let mut results = Vec::with_capacity(jobs.len());
    for (job, plan) in jobs.iter().zip(plans) {
        results.push(match plan {
            Plan::Done(r) => Some(r),
            Plan::Retry => None,
            Plan::Special => with_savepoint(db, conn, &job.request)
                .await
                .map_err(AppendFailure::Fatal)?,
            Plan::Bulk { first_version } => {
                let ps: Vec<i64> = job
                    .request
                    .events
                    .iter()
                    .filter_map(|e| positions.get(&e.event_id).copied())
                    .collect();
                Some(Ok(AppendOutcome {
                    first_position: ps.iter().min().copied().unwrap_or_default(),
                    last_position: ps.iter().max().copied().unwrap_or_default(),
                    stream_version: first_version + job.request.events.len() as i64 - 1,
                    duplicate: false,
                }))
            }
        });
    }
    Ok(results)
}

/// The keys of the data subjects of these events' personal fields, created as needed in this
/// transaction.
async fn subject_keys(
    conn: &mut AnyConnection,
    rows: &[(&AppendRequest, &NewEvent, i64)],
    now: &str,
) -> Result<HashMap<(String, String), keel_schemas::personal::SubjectKey>, sqlx::Error> {
    let mut subjects: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (req, e, _) in rows {
        if let Some(s) = keel_schemas::personal::subject(&e.event) {
            subjects
                .entry(req.tenant_id.to_string())
                .or_default()
                .insert(s);
        }
    }
    let mut keys = HashMap::new();
    for (tenant, subjects) in &subjects {
        let found =
            keel_projections::personal::keys_for_subjects(conn, tenant, subjects, now).await?;
        for (subject, key) in found {
            keys.insert((tenant.clone(), subject), key);
        }
    }
    Ok(keys)
}

/// A multi-row insert of events with their versions; returns each event's position.
async fn insert_rows(
    db: &Db,
    conn: &mut AnyConnection,
    rows: &[(&AppendRequest, &NewEvent, i64)],
    recorded_at: &str,
) -> Result<Vec<(EventId, i64)>, sqlx::Error> {
    let (uuid, json, ts) = match db.dialect {
        Dialect::Postgres => (
            "CAST(${} AS uuid)",
            "CAST(${} AS jsonb)",
            "CAST(${} AS timestamptz)",
        ),
        Dialect::Sqlite => ("${}", "${}", "${}"),
    };
    let mut sql = String::from(
        "INSERT INTO events (event_id, tenant_id, stream_id, stream_version, event_type, schema_version, \
         payload, metadata, occurred_at, recorded_at) VALUES ",
    );
    for i in 0..rows.len() {
        let p = |k: usize| (i * 10 + k).to_string();
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "({}, {}, ${}, ${}, ${}, ${}, {}, {}, {}, {})",
            uuid.replace("{}", &p(1)),
            uuid.replace("{}", &p(2)),
            p(3),
            p(4),
            p(5),
            p(6),
            json.replace("{}", &p(7)),
            json.replace("{}", &p(8)),
            ts.replace("{}", &p(9)),
            ts.replace("{}", &p(10)),
        ));
    }
    let id_column = match db.dialect {
        Dialect::Postgres => "event_id::text",
        Dialect::Sqlite => "event_id",
    };
    sql.push_str(&format!(" RETURNING {id_column}, position"));
    let keys = subject_keys(conn, rows, recorded_at).await?;
    let mut q = sqlx::query(&sql);
    for (req, e, version) in rows {
        let mut stored = to_stored(&e.event);
        if let Some(subject) = keel_schemas::personal::subject(&e.event) {
            // Never stored in the clear: no key, no event.
            let key = keys
                .get(&(req.tenant_id.to_string(), subject.to_string()))
                .ok_or_else(|| {
                    sqlx::Error::Protocol(format!("no key for data subject {subject}"))
                })?;
            keel_schemas::personal::seal_payload(stored.event_type, &mut stored.payload, key);
        }
        q = q
            .bind(e.event_id.to_string())
            .bind(req.tenant_id.to_string())
            .bind(req.stream_id.as_str())
            .bind(*version)
            .bind(stored.event_type)
            .bind(stored.schema_version)
            .bind(stored.payload.to_string())
            .bind(serde_json::to_string(&req.metadata).unwrap_or_else(|_| "{}".into()))
            .bind(format_ts(e.occurred_at))
            .bind(recorded_at.to_string());
    }
    let out = q.fetch_all(&mut *conn).await?;
    Ok(out
        .iter()
        .filter_map(|r| {
            r.get::<String, _>(0)
                .parse::<EventId>()
                .ok()
                .map(|id| (id, r.get::<i64, _>(1)))
        })
        .collect())
}

pub(crate) enum AppendFailure {
    /// This request alone is refused (conflict, guard); the batch goes on.
    Refused(StoreError),
    /// The transaction cannot go on.
    Fatal(StoreError),
}

impl From<sqlx::Error> for AppendFailure {
    fn from(e: sqlx::Error) -> Self {
        // Another transaction changed a row this one wrote (two writers creating keys in one
        // workspace): this request alone is refused as a conflict and retried on a fresh snapshot.
        if is_serialization_failure(&e) {
            return AppendFailure::Refused(StoreError::Conflict {
                stream: "(concurrent transaction)".into(),
                expected: "any".into(),
                actual: 0,
            });
        }
        AppendFailure::Fatal(db_error(e))
    }
}

async fn append_one(
    db: &Db,
    conn: &mut AnyConnection,
    req: &AppendRequest,
) -> Result<AppendOutcome, AppendFailure> {
    let current: i64 =
        sqlx::query("SELECT COALESCE(MAX(stream_version), 0) FROM events WHERE stream_id = $1")
            .bind(req.stream_id.as_str())
            .fetch_one(&mut *conn)
            .await?
            .get(0);
    if req.events.is_empty() {
        check_expected(&req.stream_id, req.expected, current).map_err(AppendFailure::Refused)?;
        return Ok(AppendOutcome {
            first_position: 0,
            last_position: 0,
            stream_version: current,
            duplicate: false,
        });
    }
    if let Some(outcome) = existing_ids(db, conn, req).await? {
        return Ok(outcome);
    }
    check_expected(&req.stream_id, req.expected, current).map_err(AppendFailure::Refused)?;

    let rows: Vec<_> = req
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| (req, e, current + 1 + i as i64))
        .collect();
    let inserted = match insert_rows(db, conn, &rows, &format_ts(Utc::now())).await {
        Ok(rows) => rows,
        Err(e) => {
            return Err(match unique_violation(&e) {
                // Another process appended to the stream first.
                Some(c) if c.contains("stream") => AppendFailure::Refused(StoreError::Conflict {
                    stream: req.stream_id.to_string(),
                    expected: format!("{:?}", req.expected).to_lowercase(),
                    actual: current + 1,
                }),
                // Another process appended one of these ids first: the caller retries and is told.
                Some(_) => {
                    AppendFailure::Refused(StoreError::EventIdReused(req.events[0].event_id))
                }
                None if is_serialization_failure(&e) => {
                    AppendFailure::Refused(StoreError::Conflict {
                        stream: req.stream_id.to_string(),
                        expected: format!("{:?}", req.expected).to_lowercase(),
                        actual: current,
                    })
                }
                None => e.into(),
            });
        }
    };
    let by_id: std::collections::HashMap<EventId, i64> = inserted.into_iter().collect();
    let mut positions = Vec::with_capacity(req.events.len());
    for e in &req.events {
        let position = by_id.get(&e.event_id).copied().unwrap_or_default();
        inline::apply(db, conn, req.tenant_id, &e.event, e.occurred_at, position).await?;
        positions.push(position);
    }
    if let Some(m) = &req.meter {
        inline::apply_usage(conn, &inline::metered(req.tenant_id, m), Utc::now()).await?;
    }
    Ok(AppendOutcome {
        first_position: positions.iter().copied().min().unwrap_or_default(),
        last_position: positions.iter().copied().max().unwrap_or_default(),
        stream_version: current + req.events.len() as i64,
        duplicate: false,
    })
}

/// All ids known: the original outcome (an idempotent no-op). Some: refused. None: `None`.
async fn existing_ids(
    db: &Db,
    conn: &mut AnyConnection,
    req: &AppendRequest,
) -> Result<Option<AppendOutcome>, AppendFailure> {
    let placeholders: Vec<String> = (1..=req.events.len())
        .map(|i| match db.dialect {
            Dialect::Postgres => format!("CAST(${i} AS uuid)"),
            Dialect::Sqlite => format!("${i}"),
        })
        .collect();
    let sql = format!(
        "SELECT position, stream_version FROM events WHERE event_id IN ({}) ORDER BY position",
        placeholders.join(",")
    );
    let mut q = sqlx::query(&sql);
    for e in &req.events {
        q = q.bind(e.event_id.to_string());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    if rows.len() < req.events.len() {
        return Err(AppendFailure::Refused(StoreError::EventIdReused(
            req.events[0].event_id,
        )));
    }
    let first = &rows[0];
    let last = &rows[rows.len() - 1];
    Ok(Some(AppendOutcome {
        first_position: first.get(0),
        last_position: last.get(0),
        stream_version: last.get(1),
        duplicate: true,
    }))
}

pub(crate) fn select_columns(dialect: Dialect) -> String {
    select_columns_of(dialect, "")
}

/// The event columns as text, each name prefixed with `p` (a table alias and a dot, or nothing).
pub(crate) fn select_columns_of(dialect: Dialect, p: &str) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "{p}txid::text, {p}position, {p}event_id::text, {p}tenant_id::text, {p}stream_id, {p}stream_version, \
             {p}event_type, {p}schema_version, {p}payload::text, {p}metadata::text, \
             to_char({p}occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), \
             to_char({p}recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        ),
        Dialect::Sqlite => format!(
            "'0', {p}position, {p}event_id, {p}tenant_id, {p}stream_id, {p}stream_version, {p}event_type, \
             {p}schema_version, {p}payload, {p}metadata, {p}occurred_at, {p}recorded_at"
        ),
    }
}

/// Like [`select_columns`], with the payload and metadata sent only for rows where `cond` holds
/// (NULL elsewhere): the costly columns of events a reader will pass over.
fn select_columns_when(dialect: Dialect, cond: &str) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "txid::text, position, event_id::text, tenant_id::text, stream_id, stream_version, \
             event_type, schema_version, CASE WHEN {cond} THEN payload::text END, \
             CASE WHEN {cond} THEN metadata::text END, \
             to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), \
             to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        ),
        Dialect::Sqlite => format!(
            "'0', position, event_id, tenant_id, stream_id, stream_version, event_type, \
             schema_version, CASE WHEN {cond} THEN payload END, CASE WHEN {cond} THEN metadata END, \
             occurred_at, recorded_at"
        ),
    }
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("unreadable event row: {what}"))
}

pub(crate) fn decode_row(
    row: &sqlx::any::AnyRow,
) -> Result<(LogCursor, RecordedEvent), StoreError> {
    let txid: String = row.try_get(0).map_err(corrupt)?;
    let event_type: String = row.try_get(6).map_err(corrupt)?;
    let schema_version: i32 = row.try_get(7).map_err(corrupt)?;
    let payload: String = row.try_get(8).map_err(corrupt)?;
    let metadata: String = row.try_get(9).map_err(corrupt)?;
    let payload = serde_json::from_str(&payload).map_err(corrupt)?;
    let event = from_stored(&event_type, schema_version, payload).map_err(corrupt)?;
    let position: i64 = row.try_get(1).map_err(corrupt)?;
    let recorded = RecordedEvent {
        event_id: row
            .try_get::<String, _>(2)
            .map_err(corrupt)?
            .parse::<EventId>()
            .map_err(corrupt)?,
        tenant_id: row
            .try_get::<String, _>(3)
            .map_err(corrupt)?
            .parse::<WorkspaceId>()
            .map_err(corrupt)?,
        stream_id: StreamId(row.try_get(4).map_err(corrupt)?),
        stream_version: row.try_get(5).map_err(corrupt)?,
        position,
        event,
        schema_version,
        metadata: serde_json::from_str::<Metadata>(&metadata).map_err(corrupt)?,
        occurred_at: parse_ts(&row.try_get::<String, _>(10).map_err(corrupt)?).map_err(corrupt)?,
        recorded_at: parse_ts(&row.try_get::<String, _>(11).map_err(corrupt)?).map_err(corrupt)?,
    };
    Ok((
        LogCursor {
            txid: txid.parse().map_err(corrupt)?,
            position,
        },
        recorded,
    ))
}

impl SqlStore {
    /// The type of a stream's last event, if it has any.
    pub async fn last_event_type(
        &self,
        stream_id: &StreamId,
    ) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1",
        )
        .bind(stream_id.as_str())
        .fetch_optional(&self.db.pool)
        .await
        .map_err(db_error)
    }

    /// Every event of one tenant's stream, oldest first (audit and history views).
    pub async fn read_tenant_stream(
        &self,
        tenant: WorkspaceId,
        stream_id: &StreamId,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.read_tenant_stream_after(tenant, stream_id, 0, i64::MAX)
            .await
    }

    /// At most `limit` events of one tenant's stream past `after_version`, in version order, with
    /// personal fields opened (or marked erased).
    pub async fn read_tenant_stream_after(
        &self,
        tenant: WorkspaceId,
        stream_id: &StreamId,
        after_version: i64,
        limit: i64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let tenant_filter = match self.db.dialect {
            Dialect::Postgres => "tenant_id = CAST($2 AS uuid)",
            Dialect::Sqlite => "tenant_id = $2",
        };
        let sql = format!(
            "SELECT {} FROM events WHERE stream_id = $1 AND {tenant_filter} \
             AND stream_version > $3 AND stream_version <= $4 ORDER BY stream_version",
            select_columns(self.db.dialect)
        );
        // Versions are gapless: the next `limit` events are exactly this range, which the
        // stream's index reads without touching the rest of the stream (however stale the
        // planner's statistics are).
        let rows = sqlx::query(&sql)
            .bind(stream_id.as_str())
            .bind(tenant.to_string())
            .bind(after_version)
            .bind(after_version.saturating_add(limit))
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_error)?;
        let events = rows
            .iter()
            .map(|r| decode_row(r).map(|(_, e)| e))
            .collect::<Result<Vec<_>, _>>()?;
        // Shown to people: personal fields opened (or marked erased).
        keel_projections::personal::open_with(&self.db, events)
            .await
            .map_err(db_error)
    }
}

#[async_trait]
impl EventStore for SqlStore {
    async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, StoreError> {
        if request.events.len() > MAX_EVENTS_PER_APPEND {
            return Err(StoreError::Internal(format!(
                "at most {MAX_EVENTS_PER_APPEND} events per append"
            )));
        }
        let (reply, rx) = oneshot::channel();
        let writer = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            request.tenant_id.hash(&mut h);
            (h.finish() % self.jobs.len() as u64) as usize
        };
        self.jobs[writer]
            .send(Job {
                request,
                reply,
                retries: 0,
            })
            .await
            .map_err(|_| StoreError::Unavailable("event-store writer stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("event-store writer stopped".into()))?
    }

    async fn read_stream(&self, stream_id: &StreamId) -> Result<Vec<RecordedEvent>, StoreError> {
        let sql = format!(
            "SELECT {} FROM events WHERE stream_id = $1 ORDER BY stream_version",
            select_columns(self.db.dialect)
        );
        let rows = sqlx::query(&sql)
            .bind(stream_id.as_str())
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_error)?;
        rows.iter().map(|r| decode_row(r).map(|(_, e)| e)).collect()
    }

    async fn read_all(
        &self,
        after: LogCursor,
        limit: usize,
    ) -> Result<Vec<(LogCursor, RecordedEvent)>, StoreError> {
        let limit = limit.min(10_000) as i64;
        let rows = match self.db.dialect {
            // Only transactions older than every running one are final; reading below the snapshot's
            // xmin means a transaction that commits late can never be passed over.
            Dialect::Postgres => {
                let sql = format!(
                    "SELECT {} FROM events WHERE (txid, position) > (CAST($1 AS xid8), $2) \
                     AND txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY events.txid, events.position LIMIT $3",
                    select_columns(self.db.dialect)
                );
                sqlx::query(&sql)
                    .bind(after.txid.to_string())
                    .bind(after.position)
                    .bind(limit)
                    .fetch_all(&self.db.pool)
                    .await
            }
            // One writer at a time: positions are assigned in commit order.
            Dialect::Sqlite => {
                let sql = format!(
                    "SELECT {} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
                    select_columns(self.db.dialect)
                );
                sqlx::query(&sql).bind(after.position).bind(limit).fetch_all(&self.db.pool).await
            }
        }
        .map_err(db_error)?;
        rows.iter().map(decode_row).collect()
    }
}

/// A page of the log read for one reader's stream types (see [`SqlStore::read_page_of`]).
#[derive(Debug, Default)]
pub struct Page {
    /// Where the page ends (the last event read, of any stream type); `None` at the end of the log.
    pub last: Option<LogCursor>,
    /// How many events the page held, of any stream type (fewer than asked: the end for now).
    pub read: usize,
    /// The page's events of the reader's stream types, in log order.
    pub events: Vec<RecordedEvent>,
}

impl SqlStore {
    /// Like [`EventStore::read_all`], for a reader of some stream types only (`types`, as in
    /// `visitor` for `visitor-…`): the page is the same, but only its events of those types are
    /// sent by the database and decoded. A projector of keys then passes over a page of pageviews
    /// for the price of reading their positions.
    pub async fn read_page_of(
        &self,
        after: LogCursor,
        limit: usize,
        types: &[&str],
    ) -> Result<Page, StoreError> {
        let limit = limit.min(10_000) as i64;
        let wanted = types
            .iter()
            .filter(|t| t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .map(|t| format!("substr(stream_id, 1, {}) = '{t}-'", t.len() + 1))
            .collect::<Vec<_>>();
        let wanted = if wanted.is_empty() {
            "FALSE".to_string()
        } else {
            wanted.join(" OR ")
        };
        let columns = select_columns_when(self.db.dialect, &wanted);
        let rows = match self.db.dialect {
            Dialect::Postgres => {
                let sql = format!(
                    "SELECT {columns} FROM events WHERE (txid, position) > (CAST($1 AS xid8), $2) \
                     AND txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY events.txid, events.position LIMIT $3"
                );
                sqlx::query(&sql)
                    .bind(after.txid.to_string())
                    .bind(after.position)
                    .bind(limit)
                    .fetch_all(&self.db.pool)
                    .await
            }
            Dialect::Sqlite => {
                let sql = format!(
                    "SELECT {columns} FROM events WHERE position > $1 ORDER BY position LIMIT $2"
                );
                sqlx::query(&sql)
                    .bind(after.position)
                    .bind(limit)
                    .fetch_all(&self.db.pool)
                    .await
            }
        }
        .map_err(db_error)?;
        let mut page = Page {
            read: rows.len(),
            ..Page::default()
        };
        for row in &rows {
            if row
                .try_get::<Option<String>, _>(8)
                .map_err(corrupt)?
                .is_some()
            {
                let (cursor, event) = decode_row(row)?;
                page.last = Some(cursor);
                page.events.push(event);
            } else {
                let txid: String = row.try_get(0).map_err(corrupt)?;
                page.last = Some(LogCursor {
                    txid: txid.parse().map_err(corrupt)?,
                    position: row.try_get(1).map_err(corrupt)?,
                });
            }
        }
        Ok(page)
    }
}

/// Shared handle used across roles.
pub type SharedStore = Arc<SqlStore>;
