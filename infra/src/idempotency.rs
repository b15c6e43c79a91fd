//! Storage of `Idempotency-Key` records (table `idempotency_records`): one row per caller's key,
//! claimed by one request at a time under a lease, then holding its sealed response for 24 hours.
//! The rules (who may claim, what is replayed) live with the API's middleware; these are its
//! statements.

use keel_projections::Db;
use sqlx::Row;

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub caller: String,
    pub fingerprint: String,
    /// running, released or done
    pub state: String,
    pub owner: String,
    pub lease_until: String,
    pub status: Option<i64>,
    pub headers: Option<String>,
    pub body: Option<String>,
    pub expires_at: String,
    pub created_at: String,
    /// The sealed seed of the request's draws.
    pub seed: Option<String>,
}

/// The record of a key, if there is one.
pub async fn fetch(db: &Db, scope: &str, key_hash: &str) -> Result<Option<Record>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT caller, fingerprint, state, owner, lease_until, response_status, response_headers, \
         response_body, expires_at, created_at, seed FROM idempotency_records \
         WHERE scope = $1 AND key_hash = $2",
    )
    .bind(scope)
    .bind(key_hash)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Record {
            caller: r.try_get(0)?,
            fingerprint: r.try_get(1)?,
            state: r.try_get(2)?,
            owner: r.try_get(3)?,
            lease_until: r.try_get(4)?,
            status: r.try_get(5)?,
            headers: r.try_get(6)?,
            body: r.try_get(7)?,
            expires_at: r.try_get(8)?,
            created_at: r.try_get(9)?,
            seed: r.try_get(10)?,
        })
    })
    .transpose()
}

/// A first claim of a key.
#[derive(Debug, Clone)]
pub struct NewClaim<'a> {
    pub scope: &'a str,
    pub key_hash: &'a str,
    pub caller: &'a str,
    pub fingerprint: &'a str,
    pub owner: &'a str,
    pub lease_until: &'a str,
    pub created_at: &'a str,
    pub expires_at: &'a str,
    pub sealed_seed: &'a str,
}

/// Claims a key no one holds; `false` if a record exists.
pub async fn insert_claim(db: &Db, c: &NewClaim<'_>) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_records (scope, key_hash, caller, fingerprint, state, owner, lease_until, \
         created_at, expires_at, seed) VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9) \
         ON CONFLICT (scope, key_hash) DO NOTHING",
    )
    .bind(c.scope)
    .bind(c.key_hash)
    .bind(c.caller)
    .bind(c.fingerprint)
    .bind(c.owner)
    .bind(c.lease_until)
    .bind(c.created_at)
    .bind(c.expires_at)
    .bind(c.sealed_seed)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Deletes a record that expired (only the one read: a newer claim of the key stays).
pub async fn delete_expired(
    db: &Db,
    scope: &str,
    key_hash: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM idempotency_records WHERE scope = $1 AND key_hash = $2 AND expires_at = $3",
    )
    .bind(scope)
    .bind(key_hash)
    .bind(expires_at)
    .execute(&db.pool)
    .await
    .map(|_| ())
}

/// Takes a record over from the run `seen` (released, or running past its lease); `false` if
/// another request took it first.
pub async fn take_over(
    db: &Db,
    seen: &Record,
    scope: &str,
    key_hash: &str,
    owner: &str,
    lease_until: &str,
    sealed_seed: &str,
) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query(
        "UPDATE idempotency_records SET owner = $1, lease_until = $2, state = 'running', seed = $3 \
         WHERE scope = $4 AND key_hash = $5 AND state = $6 AND owner = $7",
    )
    .bind(owner)
    .bind(lease_until)
    .bind(sealed_seed)
    .bind(scope)
    .bind(key_hash)
    .bind(&seen.state)
    .bind(&seen.owner)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// How a claim ends without a stored response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The row stays (state `released`, seed kept) for the next run of the request.
    Release,
    /// The row goes (no command ran, e.g. a 429).
    Forget,
}

/// Ends `owner`'s running claim.
pub async fn end(
    db: &Db,
    scope: &str,
    key_hash: &str,
    owner: &str,
    how: End,
) -> Result<(), sqlx::Error> {
    let sql = match how {
        End::Release => {
            "UPDATE idempotency_records SET state = 'released' \
             WHERE scope = $1 AND key_hash = $2 AND owner = $3 AND state = 'running'"
        }
        End::Forget => {
            "DELETE FROM idempotency_records \
             WHERE scope = $1 AND key_hash = $2 AND owner = $3 AND state = 'running'"
        }
    };
    sqlx::query(sql)
        .bind(scope)
        .bind(key_hash)
        .bind(owner)
        .execute(&db.pool)
        .await
        .map(|_| ())
}

/// Stores `owner`'s response; `false` if the claim was taken over meanwhile.
pub async fn complete(
    db: &Db,
    scope: &str,
    key_hash: &str,
    owner: &str,
    status: i64,
    headers: &str,
    sealed_body: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE idempotency_records SET state = 'done', response_status = $1, response_headers = $2, \
         response_body = $3 WHERE scope = $4 AND key_hash = $5 AND owner = $6",
    )
    .bind(status)
    .bind(headers)
    .bind(sealed_body)
    .bind(scope)
    .bind(key_hash)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes records that expired by `now`.
pub async fn purge_expired(db: &Db, now: &str) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM idempotency_records WHERE expires_at <= $1")
            .bind(now)
            .execute(&db.pool)
            .await?
            .rows_affected(),
    )
}
