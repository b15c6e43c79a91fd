//! What a read model is: the streams it reads, the tables it owns, and how one event changes
//! them. Each read model is one module of this crate (its tables, its apply function, its
//! queries) implementing [`ReadModel`]; [`crate::Projection`] names them for the feed, the Kafka
//! consumers, the sweeper and rebuilds, which all apply events through [`crate::apply_events`].

use keel_events::RecordedEvent;
use sqlx::AnyConnection;
use std::future::Future;

/// One read model.
pub trait ReadModel {
    /// Its stable name: the guard rows, checkpoints, metrics and the admin API use it.
    const NAME: &'static str;
    /// The stream types (the part of a stream id before the first `-`) whose events it reads;
    /// it neither applies nor tracks any other stream.
    const STREAM_TYPES: &'static [&'static str];
    /// Base names of the tables it owns; the first is the one whose existence says it is set up.
    const TABLES: &'static [&'static str];

    /// DDL for its tables with a name suffix (`""` live, `"__rebuild"` for a blue/green rebuild).
    /// Index names carry `tag`, unique per build, because index names are global and survive
    /// the table renames of a swap.
    fn ddl(sfx: &str, tag: &str) -> Vec<String>;

    /// Writes one event's effect. Called only for the next version of the event's stream, inside
    /// the caller's transaction; work that is cheaper done once per batch goes into `batch`.
    fn write(
        conn: &mut AnyConnection,
        sfx: &str,
        e: &RecordedEvent,
        batch: &mut Batch,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// Changes a batch of events collects and writes once, when the batch ends.
#[derive(Debug, Default)]
pub struct Batch {
    /// Analytics rollups and hits.
    pub(crate) analytics: crate::analytics::Pending,
}

impl Batch {
    pub(crate) async fn flush(
        self,
        conn: &mut AnyConnection,
        sfx: &str,
    ) -> Result<(), sqlx::Error> {
        self.analytics.flush(conn, sfx).await
    }
}
