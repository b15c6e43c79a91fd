//! Data subjects' keys (table `subject_keys`), and opening the sealed personal fields of events
//! with them (see `keel_schemas::personal`).

use crate::Db;
use keel_events::RecordedEvent;
use keel_schemas::personal::{self, SubjectKey};
use sqlx::{AnyConnection, Row};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

const CHUNK: usize = 1000;

fn list(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("(${i})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keys with these ids that still exist.
pub async fn keys_by_id(
    conn: &mut AnyConnection,
    ids: &BTreeSet<&str>,
) -> Result<HashMap<String, SubjectKey>, sqlx::Error> {
    let ids: Vec<&str> = ids.iter().copied().collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT k.key_id, k.secret FROM (VALUES {}) AS v JOIN subject_keys k ON k.key_id = v.column1",
            list(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id: String = r.get(0);
            let secret: String = r.get(1);
            if let Some(k) = SubjectKey::from_stored(&id, &secret) {
                out.insert(id, k);
            }
        }
    }
    Ok(out)
}

/// The key of each of a workspace's subjects, created for those that have none (in the caller's
/// transaction, so that a key exists exactly when the events it seals do).
pub async fn keys_for_subjects(
    conn: &mut AnyConnection,
    tenant: &str,
    subjects: &BTreeSet<&str>,
    now: &str,
) -> Result<HashMap<String, SubjectKey>, sqlx::Error> {
    let subjects: Vec<&str> = subjects.iter().copied().collect();
    let mut out: HashMap<String, SubjectKey> = HashMap::new();
    for chunk in subjects.chunks(CHUNK) {
        let found = existing(conn, tenant, chunk).await?;
        let missing: Vec<(&str, SubjectKey)> = chunk
            .iter()
            .filter(|s| !found.contains_key(**s))
            .map(|s| (*s, SubjectKey::generate()))
            .collect();
        out.extend(found);
        if missing.is_empty() {
            continue;
        }
        let rows = (0..missing.len())
            .map(|i| {
                let b = 5 * i;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO subject_keys (key_id, tenant_id, subject, secret, created_at) VALUES {rows} \
             ON CONFLICT (tenant_id, subject) DO NOTHING"
        );
        let mut q = sqlx::query(&sql);
        for (s, k) in &missing {
            q = q
                .bind(k.id.clone())
                .bind(tenant)
                .bind(*s)
                .bind(k.secret_hex())
                .bind(now);
        }
        q.execute(&mut *conn).await?;
        // Another writer may have created some of them first: read what won.
        let missing: Vec<&str> = missing.iter().map(|(s, _)| *s).collect();
        out.extend(existing(conn, tenant, &missing).await?);
    }
    Ok(out)
}

async fn existing(
    conn: &mut AnyConnection,
    tenant: &str,
    subjects: &[&str],
) -> Result<HashMap<String, SubjectKey>, sqlx::Error> {
    let sql = format!(
        "SELECT k.subject, k.key_id, k.secret FROM (VALUES {}) AS v \
         JOIN subject_keys k ON k.tenant_id = $1 AND k.subject = v.column1",
        list(2, subjects.len())
    );
    let mut q = sqlx::query(&sql).bind(tenant);
    for s in subjects {
        q = q.bind(*s);
    }
    let mut out = HashMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        let subject: String = r.get(0);
        let id: String = r.get(1);
        let secret: String = r.get(2);
        if let Some(k) = SubjectKey::from_stored(&id, &secret) {
            out.insert(subject, k);
        }
    }
    Ok(out)
}

/// The current key of one subject, if it has one.
pub async fn subject_key(
    db: &Db,
    tenant: &str,
    subject: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT key_id FROM subject_keys WHERE tenant_id = $1 AND subject = $2")
        .bind(tenant)
        .bind(subject)
        .fetch_optional(&db.pool)
        .await
}

/// Destroys a key: everything sealed with it is unreadable from now on. Returns whether it
/// existed.
pub async fn destroy(conn: &mut AnyConnection, key_id: &str) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("DELETE FROM subject_keys WHERE key_id = $1")
        .bind(key_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// The events with their personal fields opened (or marked erased where the key is gone). Events
/// without sealed fields are borrowed as they are.
pub async fn open<'a>(
    conn: &mut AnyConnection,
    events: &'a [RecordedEvent],
) -> Result<Cow<'a, [RecordedEvent]>, sqlx::Error> {
    let ids: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| personal::sealed_key(&e.event))
        .collect();
    if ids.is_empty() {
        return Ok(Cow::Borrowed(events));
    }
    let keys = keys_by_id(conn, &ids).await?;
    let mut out = events.to_vec();
    for e in &mut out {
        let Some(id) = personal::sealed_key(&e.event).map(str::to_string) else {
            continue;
        };
        if let Err(err) = personal::open(&mut e.event, keys.get(&id)) {
            tracing::error!(position = e.position, error = %err, "personal data unreadable; treated as erased");
        }
    }
    Ok(Cow::Owned(out))
}

/// [`open`] of events the caller owns: opened in place, nothing copied.
pub async fn open_owned(
    conn: &mut AnyConnection,
    mut events: Vec<RecordedEvent>,
) -> Result<Vec<RecordedEvent>, sqlx::Error> {
    let ids: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| personal::sealed_key(&e.event))
        .collect();
    if ids.is_empty() {
        return Ok(events);
    }
    let keys = keys_by_id(conn, &ids).await?;
    for e in &mut events {
        let Some(id) = personal::sealed_key(&e.event).map(str::to_string) else {
            continue;
        };
        if let Err(err) = personal::open(&mut e.event, keys.get(&id)) {
            tracing::error!(position = e.position, error = %err, "personal data unreadable; treated as erased");
        }
    }
    Ok(events)
}

/// [`open`] on a pooled connection.
pub async fn open_with(
    db: &Db,
    events: Vec<RecordedEvent>,
) -> Result<Vec<RecordedEvent>, sqlx::Error> {
    if events
        .iter()
        .all(|e| personal::sealed_key(&e.event).is_none())
    {
        return Ok(events);
    }
    let mut conn = db.pool.acquire().await?;
    Ok(open(&mut conn, &events).await?.into_owned())
}
