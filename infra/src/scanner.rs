//! The domain scanner (worker role): takes the domains that are due (queued by an add or a
//! "scan now", or not scanned for the configured interval), scans them with a concurrency limit
//! and a deadline each, and records every scan through the domain aggregate, which turns the
//! differences into change events.

use crate::dns::{self, Lookup};
use crate::store::SqlStore;
use futures::StreamExt;
use keel_commands::domain::{DomainAggregate, DomainCommand, ScanReport};
use keel_commands::{execute, CommandError, DomainError, Execution};
use keel_events::{DomainId, EventId, Metadata, ScanOutcome, StreamId, WorkspaceId};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Asks the scanner to scan these domains as soon as it can. A request for a domain already
/// queued moves its time forward: a scan that started before this request must not take the
/// request off the queue (the scanner only removes requests older than its scan's start).
pub async fn queue(
    db: &keel_projections::Db,
    ws: WorkspaceId,
    ids: &[DomainId],
) -> Result<(), sqlx::Error> {
    let now = keel_schemas::format_ts(chrono::Utc::now());
    for chunk in ids.chunks(300) {
        let rows = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO domain_scan_queue (domain_id, workspace_id, requested_at) VALUES {rows} \
             ON CONFLICT (domain_id) DO UPDATE SET requested_at = excluded.requested_at"
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q
                .bind(id.to_string())
                .bind(ws.to_string())
                .bind(now.clone());
        }
        q.execute(&db.pool).await?;
    }
    Ok(())
}

#[derive(Clone)]
pub struct ScannerConfig {
    pub interval: Duration,
    pub concurrency: usize,
    /// Longest a whole domain scan may take (its lookups run in parallel).
    pub deadline: Duration,
    /// Where scanned servers are (MaxMind databases), when configured.
    pub geo: Option<Arc<crate::geoip::GeoIp>>,
}

/// Domains whose registration data is due: never fetched, or not since `cutoff`.
pub async fn whois_due(
    store: &SqlStore,
    cutoff: &str,
    limit: i64,
) -> Result<Vec<(Due, String)>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT domain_id, workspace_id, name, tld FROM rm_domains WHERE status = 'active' \
         AND (whois_at IS NULL OR whois_at < $1) \
         ORDER BY CASE WHEN whois_at IS NULL THEN 0 ELSE 1 END, whois_at LIMIT {limit}"
    ))
    .bind(cutoff)
    .fetch_all(&store.db().pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                Due {
                    domain_id: r.get(0),
                    workspace_id: r.get(1),
                    name: r.get(2),
                    queued: false,
                },
                r.get(3),
            )
        })
        .collect())
}

/// Fetches and records one domain's registration data. `Ok(false)` when nothing could be learnt
/// (retried later; a failure is not recorded as data).
pub async fn whois_one(
    store: &SqlStore,
    rdap: &crate::rdap::Rdap,
    d: &Due,
    tld: &str,
) -> anyhow::Result<bool> {
    let (Ok(ws), Ok(id)) = (
        d.workspace_id.parse::<WorkspaceId>(),
        d.domain_id.parse::<DomainId>(),
    ) else {
        anyhow::bail!("unreadable ids in the domain read model: {d:?}");
    };
    let whois = match rdap.fetch(&d.name, tld).await {
        Ok(w) => w,
        Err(e) => {
            tracing::info!(domain = %d.name, error = %e, "RDAP lookup failed; retried later");
            return Ok(false);
        }
    };
    let exec = Execution {
        tenant_id: ws,
        stream_id: StreamId::domain(id),
        expected_version: None,
        metadata: Metadata::system(),
        now: chrono::Utc::now(),
        new_stream: false,
    };
    match execute::<DomainAggregate>(
        store,
        &exec,
        &DomainCommand::RecordWhois(whois),
        EventId::new_v7,
    )
    .await
    {
        Ok(_) => Ok(true),
        Err(CommandError::Rejected(DomainError::NotFound(_))) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// One domain to scan.
#[derive(Debug, Clone)]
pub struct Due {
    pub domain_id: String,
    pub workspace_id: String,
    pub name: String,
    /// Asked for (added, or "scan now"), rather than due by age.
    pub queued: bool,
}

/// Up to `limit` domains due: queued ones first, then those not scanned (or tried) since
/// `cutoff`. Inactive domains (NXDOMAIN) are scanned as well: they may come back.
pub async fn due(store: &SqlStore, cutoff: &str, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    let db = store.db();
    // Queued domains that were removed since leave the queue.
    sqlx::query(
        "DELETE FROM domain_scan_queue WHERE domain_id IN \
         (SELECT domain_id FROM rm_domains WHERE status = 'removed')",
    )
    .execute(&db.pool)
    .await?;
    let row = |r: &sqlx::any::AnyRow, queued: bool| Due {
        domain_id: r.get(0),
        workspace_id: r.get(1),
        name: r.get(2),
        queued,
    };
    let mut out: Vec<Due> = sqlx::query(&format!(
        "SELECT d.domain_id, d.workspace_id, d.name FROM domain_scan_queue q \
         JOIN rm_domains d ON d.domain_id = q.domain_id WHERE d.status <> 'removed' \
         ORDER BY q.requested_at LIMIT {limit}"
    ))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| row(r, true))
    .collect();
    if (out.len() as i64) < limit {
        let more = sqlx::query(&format!(
            "SELECT domain_id, workspace_id, name FROM rm_domains WHERE status <> 'removed' \
             AND (scan_attempted_at IS NULL OR scan_attempted_at < $1) \
             ORDER BY CASE WHEN scan_attempted_at IS NULL THEN 0 ELSE 1 END, scan_attempted_at LIMIT {}",
            limit - out.len() as i64
        ))
        .bind(cutoff)
        .fetch_all(&db.pool)
        .await?;
        for r in &more {
            let d = row(r, false);
            if !out.iter().any(|o| o.domain_id == d.domain_id) {
                out.push(d);
            }
        }
    }
    Ok(out)
}

/// Scans `name`, or says the scan failed when it takes longer than `deadline`.
pub async fn scan_within(dns: &dyn Lookup, name: &str, deadline: Duration) -> ScanReport {
    match tokio::time::timeout(deadline, dns::scan(dns, name)).await {
        Ok(r) => r,
        Err(_) => ScanReport::failed(
            format!(
                "the scan took longer than its deadline of {} ms",
                deadline.as_millis()
            ),
            deadline.as_millis() as i64,
        ),
    }
}

/// Scans one domain and records the scan. Returns whether it was recorded.
pub async fn scan_one(
    store: &SqlStore,
    dns: &dyn Lookup,
    d: &Due,
    deadline: Duration,
    geo: Option<&crate::geoip::GeoIp>,
) -> anyhow::Result<bool> {
    let (Ok(ws), Ok(id)) = (
        d.workspace_id.parse::<WorkspaceId>(),
        d.domain_id.parse::<DomainId>(),
    ) else {
        anyhow::bail!("unreadable ids in the domain read model: {d:?}");
    };
    let mut report = scan_within(dns, &d.name, deadline).await;
    if let Some(g) = geo {
        if report.outcome == ScanOutcome::Answered {
            g.annotate(&mut report.records);
        }
    }
    if report.outcome == ScanOutcome::Failed {
        tracing::warn!(domain = %d.name, error = ?report.error, "scan failed; retried next time");
    }
    let exec = Execution {
        tenant_id: ws,
        stream_id: StreamId::domain(id),
        expected_version: None,
        metadata: Metadata::system(),
        now: chrono::Utc::now(),
        new_stream: false,
    };
    let label = match report.outcome {
        ScanOutcome::Answered if report.failed.is_empty() => "ok",
        ScanOutcome::Answered => "partial",
        ScanOutcome::Nxdomain => "nxdomain",
        ScanOutcome::Failed => "failed",
    };
    match execute::<DomainAggregate>(
        store,
        &exec,
        &DomainCommand::RecordScan(report),
        EventId::new_v7,
    )
    .await
    {
        Ok(_) => {
            crate::metrics::DOMAIN_SCANS
                .with_label_values(&[label])
                .inc();
            Ok(true)
        }
        // Removed meanwhile.
        Err(CommandError::Rejected(DomainError::NotFound(_))) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Scans due domains until `shutdown` turns true.
pub async fn run(
    store: SqlStore,
    dns: Arc<dyn Lookup>,
    cfg: ScannerConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut recent: HashMap<String, Instant> = HashMap::new();
    while !*shutdown.borrow() {
        let cutoff = keel_schemas::format_ts(
            chrono::Utc::now() - chrono::Duration::from_std(cfg.interval).unwrap_or_default(),
        );
        recent.retain(|_, at| at.elapsed() < cfg.interval.min(Duration::from_secs(60)));
        let batch = match due(&store, &cutoff, (cfg.concurrency * 4) as i64).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "scanner cannot read due domains; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
        };
        // Due by age but scanned lately by this process (the read model may not show it yet).
        let batch: Vec<Due> = batch
            .into_iter()
            .filter(|d| d.queued || !recent.contains_key(&d.domain_id))
            .collect();
        let started = keel_schemas::format_ts(chrono::Utc::now());
        if batch.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = shutdown.changed() => {}
            }
            continue;
        }
        let results: Vec<(Due, anyhow::Result<bool>)> = futures::stream::iter(batch)
            .map(|d| {
                let store = &store;
                let dns = dns.clone();
                let deadline = cfg.deadline;
                let geo = cfg.geo.clone();
                async move {
                    let r = scan_one(store, dns.as_ref(), &d, deadline, geo.as_deref()).await;
                    (d, r)
                }
            })
            .buffer_unordered(cfg.concurrency.max(1))
            .collect()
            .await;
        for (d, r) in results {
            recent.insert(d.domain_id.clone(), Instant::now());
            match r {
                Ok(_) => {
                    // A request made while it was being scanned stays queued.
                    let _ = sqlx::query(
                        "DELETE FROM domain_scan_queue WHERE domain_id = $1 AND requested_at <= $2",
                    )
                    .bind(&d.domain_id)
                    .bind(&started)
                    .execute(&store.db().pool)
                    .await;
                }
                Err(e) => {
                    crate::metrics::DOMAIN_SCANS
                        .with_label_values(&["error"])
                        .inc();
                    tracing::warn!(domain = %d.name, error = %e, "scan not recorded");
                }
            }
        }
    }
}

/// Fetches registration data of due domains until `shutdown` turns true: four at a time
/// (registries rate-limit), a failed domain retried after ten minutes.
pub async fn run_whois(
    store: SqlStore,
    rdap: Arc<crate::rdap::Rdap>,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut recent_whois: HashMap<String, Instant> = HashMap::new();
    while !*shutdown.borrow() {
        let cutoff = keel_schemas::format_ts(
            chrono::Utc::now() - chrono::Duration::from_std(interval).unwrap_or_default(),
        );
        recent_whois.retain(|_, at| at.elapsed() < Duration::from_secs(600));
        let due = match whois_due(&store, &cutoff, 64).await {
            Ok(due) => due
                .into_iter()
                .filter(|(d, _)| !recent_whois.contains_key(&d.domain_id))
                .collect::<Vec<_>>(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read domains due for RDAP");
                vec![]
            }
        };
        if due.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => {}
            }
            continue;
        }
        let done: Vec<_> = futures::stream::iter(due)
            .map(|(d, tld)| {
                let store = &store;
                let rdap = rdap.clone();
                async move {
                    let r = whois_one(store, &rdap, &d, &tld).await;
                    (d, r)
                }
            })
            .buffer_unordered(4)
            .collect()
            .await;
        for (d, r) in done {
            if let Err(e) = r {
                tracing::warn!(domain = %d.name, error = %e, "registration data not recorded");
            }
            recent_whois.insert(d.domain_id, Instant::now());
        }
    }
}
