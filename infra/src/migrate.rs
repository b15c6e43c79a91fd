//! Applies the event-store migrations of `schemas/migrations/<dialect>`.

use keel_projections::{Db, Dialect};
use sqlx::migrate::Migrator;

static POSTGRES: Migrator = sqlx::migrate!("../schemas/migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("../schemas/migrations/sqlite");

pub async fn run(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    match db.dialect {
        Dialect::Postgres => POSTGRES.run(&db.pool).await,
        Dialect::Sqlite => SQLITE.run(&db.pool).await,
    }
}
