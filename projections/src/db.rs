//! One pool type for both backends (`sqlx::Any`), and the few places where their SQL differs.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub dialect: Dialect,
    url: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("dialect", &self.dialect)
            .finish_non_exhaustive()
    }
}

impl Db {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            Dialect::Postgres
        };
        let opts = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await?;
        if dialect == Dialect::Sqlite {
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Db {
            pool,
            dialect,
            url: url.to_string(),
        })
    }

    /// A connection outside the pool, for a long-lived writer that manages its own transactions.
    /// On SQLite, folds the write-ahead log into the database file and empties it (on a clean
    /// shutdown, once nothing writes); nothing to do on Postgres.
    pub async fn checkpoint(&self) -> Result<(), sqlx::Error> {
        if self.dialect == Dialect::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A round trip to the database (readiness).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn dedicated(&self) -> Result<AnyConnection, sqlx::Error> {
        let opts = AnyConnectOptions::from_str(&self.url)?.disable_statement_logging();
        let mut conn = AnyConnection::connect_with(&opts).await?;
        if self.dialect == Dialect::Sqlite {
            sqlx::query("PRAGMA busy_timeout = 10000")
                .execute(&mut conn)
                .await?;
        }
        Ok(conn)
    }

    /// A [`Db::dedicated`] connection for a projector, whose transactions write read models and
    /// the feed's position together. On Postgres:
    /// - `synchronous_commit = off`: a commit returns before its WAL reaches the disk. A crash
    ///   can then lose the last few hundred milliseconds of projector commits, read models and
    ///   position alike (one transaction), and the projector simply applies those events again;
    ///   nothing the log holds is lost (appends keep their durable commits).
    pub async fn projector_connection(&self) -> Result<AnyConnection, sqlx::Error> {
        let mut conn = self.dedicated().await?;
        if self.dialect == Dialect::Postgres {
            sqlx::query("SET synchronous_commit = off")
                .execute(&mut conn)
                .await?;
        }
        Ok(conn)
    }

    /// The statement that opens a write transaction. SQLite must take the write lock up front, or a
    /// transaction that reads before it writes fails when another writer commits in between.
    pub fn begin_write(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => "BEGIN",
            Dialect::Sqlite => "BEGIN IMMEDIATE",
        }
    }
}
