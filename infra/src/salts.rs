//! Daily visitor salts (`analytics_salts`): one random salt per UTC day, shared by every replica
//! through the database, so an anonymous visitor hashes the same on every replica that day and
//! cannot be followed across days once the salt is gone.

use keel_projections::Db;

/// The salt of `day` (`YYYY-MM-DD`): `fresh` if this call made it, else the one another replica
/// made first.
pub async fn of_day(db: &Db, day: &str, fresh: &str) -> Result<String, sqlx::Error> {
    sqlx::query(
        "INSERT INTO analytics_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
    )
    .bind(day)
    .bind(fresh)
    .execute(&db.pool)
    .await?;
    sqlx::query_scalar("SELECT salt FROM analytics_salts WHERE day = $1")
        .bind(day)
        .fetch_one(&db.pool)
        .await
}

/// Deletes the salts of days before `day`; returns how many.
pub async fn purge_before(db: &Db, day: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM analytics_salts WHERE day < $1")
        .bind(day)
        .execute(&db.pool)
        .await?
        .rows_affected())
}
