//! Test support: a fresh database per test, on the real servers the test scripts start.

use keel_events::{ApiKeyId, ApiKeyRevoked, DomainEvent, EventId, NewEvent, WorkspaceId};
use keel_infra::migrate;
use keel_projections::Db;
use sqlx::Connection;

/// Where the test Postgres is. `scripts/test` exports it; the default is the local unix socket as
/// user postgres, which works even where TCP logins need a password.
pub fn postgres_admin_url() -> String {
    std::env::var("KEEL_TEST_DATABASE_URL").unwrap_or_else(|_| {
        "postgres://postgres@localhost/postgres?host=/var/run/postgresql".into()
    })
}

fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Creates an empty database `keel_t_<random>` on the test Postgres and returns its URL
/// (migrations not applied).
pub async fn fresh_postgres_url() -> String {
    fresh_postgres_url_in(&postgres_admin_url()).await
}

/// Creates an empty database `keel_t_<random>` on the server of `admin` (a login that may
/// `CREATE DATABASE`) and returns its URL.
pub async fn fresh_postgres_url_in(admin: &str) -> String {
    sqlx::any::install_default_drivers();
    let name = format!("keel_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(admin)
        .await
        .unwrap_or_else(|e| {
            panic!("cannot reach the test Postgres at {admin} (run ./scripts/test): {e}")
        });
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    with_database(admin, &name)
}

/// A migrated fresh Postgres database.
pub async fn fresh_postgres() -> Db {
    let db = Db::connect(&fresh_postgres_url().await, 10)
        .await
        .expect("connect to test database");
    migrate::run(&db).await.expect("migrate");
    db
}

/// A migrated SQLite database in a new temporary directory (kept alive by the returned guard).
pub async fn fresh_sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("keel.db").display());
    let db = Db::connect(&url, 8).await.expect("open sqlite");
    migrate::run(&db).await.expect("migrate");
    (db, dir)
}

/// An event to append when its content does not matter (a key revocation of a random key).
pub fn sample_event() -> NewEvent {
    NewEvent {
        event_id: EventId::new_v7(),
        event: DomainEvent::ApiKeyRevoked(ApiKeyRevoked {
            key_id: ApiKeyId::new_v7(),
            workspace_id: WorkspaceId::new_v7(),
            reason: None,
        }),
        occurred_at: chrono::Utc::now(),
    }
}
