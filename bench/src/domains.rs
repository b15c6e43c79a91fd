//! `keel-bench domains`: the two figures of issue 7, each beside its baseline from the same run.
//! - Domains scanned per second against a local authoritative DNS server at the default
//!   concurrency (each scan is ~40 lookups and one recorded scan), beside plain A lookups per
//!   second through the same resolver and concurrency.
//! - Portfolio summary latency with 10,000 and with 100,000 domains (target: ratio ≤ 2); the read
//!   models are built by the domains projection itself, from generated events.

use futures::StreamExt;
use keel_events::{
    DomainAdded, DomainEvent, DomainId, DomainScanned, EventId, Metadata, RecordedEvent, StreamId,
    WorkspaceId,
};
use keel_infra::dns::{HickoryLookup, Lookup, Rtype};
use keel_projections::{apply_events, Db, Projection};
use keel_testkit::dns::DnsFixture;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct DomainBenchOptions {
    pub postgres_url: Option<String>,
    pub domains: usize,
    pub concurrency: usize,
    pub small: usize,
    pub large: usize,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Builds the read model of `n` scanned domains of `ws` through the projection.
async fn portfolio(db: &Db, ws: WorkspaceId, n: usize, position: &mut i64) -> anyhow::Result<()> {
    let gateways = [
        "Google Workspace",
        "Microsoft 365",
        "Proofpoint",
        "Mimecast",
        "Other",
    ];
    let dmarc = ["reject", "quarantine", "none"];
    let spf = ["valid", "valid", "over_limit", "invalid"];
    let now = chrono::Utc::now();
    let mut conn = db.dedicated().await?;
    for chunk_start in (0..n).step_by(1000) {
        let mut batch = Vec::new();
        for i in chunk_start..(chunk_start + 1000).min(n) {
            let name = format!("d{i}.portfolio-{}.com", ws.0.simple());
            let id = DomainId(uuid::Uuid::now_v7());
            let at = now - chrono::Duration::minutes((i % 20_000) as i64);
            let mut fields = BTreeMap::new();
            if i % 10 != 0 {
                fields.insert(
                    "email_gateway".to_string(),
                    gateways[i % gateways.len()].to_string(),
                );
                fields.insert("mx".to_string(), format!("10 mx{i}.example.net"));
            }
            if i % 7 != 0 {
                fields.insert(
                    "dmarc_policy".to_string(),
                    dmarc[i % dmarc.len()].to_string(),
                );
            }
            fields.insert("spf_status".to_string(), spf[i % spf.len()].to_string());
            for (v, event) in [
                DomainEvent::DomainAdded(DomainAdded {
                    domain_id: id,
                    workspace_id: ws,
                    name,
                    unicode: None,
                    tld: "com".into(),
                }),
                DomainEvent::DomainScanned(DomainScanned {
                    domain_id: id,
                    workspace_id: ws,
                    fields,
                    records: serde_json::Value::Null,
                    failed: vec![],
                    duration_ms: 5,
                    outcome: Default::default(),
                    error: None,
                }),
            ]
            .into_iter()
            .enumerate()
            {
                *position += 1;
                batch.push(RecordedEvent {
                    event_id: EventId::new_v7(),
                    tenant_id: ws,
                    stream_id: StreamId::domain(id),
                    stream_version: v as i64 + 1,
                    position: *position,
                    event,
                    schema_version: 1,
                    metadata: Metadata::system(),
                    occurred_at: at,
                    recorded_at: at,
                });
            }
        }
        sqlx::query(db.begin_write()).execute(&mut conn).await?;
        apply_events(&mut conn, Projection::Domains, "domains", "", &batch).await?;
        sqlx::query("COMMIT").execute(&mut conn).await?;
    }
    Ok(())
}

pub async fn run(o: DomainBenchOptions) -> anyhow::Result<String> {
    // 1. Scans against a local authoritative server.
    let zone = "bench-corp.com";
    let dns = DnsFixture::start(&[zone]).await?;
    let names: Vec<String> = (0..o.domains).map(|i| format!("d{i}.{zone}")).collect();
    for (i, n) in names.iter().enumerate() {
        dns.set(n, "A", &[&format!("192.0.2.{}", i % 250 + 1)])
            .await?;
        dns.set(n, "MX", &[&format!("10 mx.{zone}")]).await?;
        dns.set(n, "TXT", &["v=spf1 include:_spf.bench-corp.com -all"])
            .await?;
        dns.set(&format!("_dmarc.{n}"), "TXT", &["v=DMARC1; p=quarantine"])
            .await?;
    }
    dns.set(&format!("mx.{zone}"), "A", &["192.0.2.25"]).await?;
    dns.set(
        &format!("_spf.{zone}"),
        "TXT",
        &["v=spf1 ip4:192.0.2.0/24 -all"],
    )
    .await?;
    let lookup: Arc<dyn Lookup> = Arc::new(HickoryLookup::new(
        &[dns.addr.to_string()],
        Duration::from_secs(2),
    )?);
    // Baseline: single A lookups, same resolver, same concurrency.
    let t = Instant::now();
    let answered: usize = futures::stream::iter(names.iter().cycle().take(o.domains * 10))
        .map(|n| {
            let l = lookup.clone();
            async move {
                usize::from(matches!(
                    l.lookup(n, Rtype::A).await,
                    keel_infra::dns::Answer::Records(_)
                ))
            }
        })
        .buffer_unordered(o.concurrency)
        .fold(0, |a, b| async move { a + b })
        .await;
    let lookups_per_s = answered as f64 / t.elapsed().as_secs_f64();
    // Full scans (without recording: the store's cost is measured elsewhere).
    let counting = Arc::new(Counting {
        inner: lookup.clone(),
        n: std::sync::atomic::AtomicUsize::new(0),
    });
    let t = Instant::now();
    let scans: Vec<usize> = futures::stream::iter(names.iter())
        .map(|n| {
            let l: Arc<dyn Lookup> = counting.clone();
            async move { keel_infra::dns::scan(l.as_ref(), n).await.failed.len() }
        })
        .buffer_unordered(o.concurrency)
        .collect()
        .await;
    let scan_secs = t.elapsed().as_secs_f64();
    let failed = scans.iter().filter(|f| **f > 0).count();
    let scans_per_s = o.domains as f64 / scan_secs;
    let per_scan = counting.n.load(std::sync::atomic::Ordering::Relaxed) as f64 / o.domains as f64;

    // 2. Summary latency at two portfolio sizes.
    let url = match &o.postgres_url {
        Some(u) => keel_testkit::fresh_postgres_url_in(u).await,
        None => anyhow::bail!("keel-bench domains needs --postgres URL for the summary figures"),
    };
    let db = Db::connect(&url, 8).await?;
    keel_infra::migrate::run(&db).await?;
    keel_projections::apply::ensure_tables(&db).await?;
    let (small, large) = (WorkspaceId::new_v7(), WorkspaceId::new_v7());
    let mut position = 0;
    let t = Instant::now();
    portfolio(&db, small, o.small, &mut position).await?;
    portfolio(&db, large, o.large, &mut position).await?;
    let built = t.elapsed();
    sqlx::query("ANALYZE").execute(&db.pool).await.ok();
    let now = chrono::Utc::now();
    let mut lat = (Vec::new(), Vec::new());
    for _ in 0..3 {
        keel_projections::domains::summary(&db, &small.to_string(), now).await?;
        keel_projections::domains::summary(&db, &large.to_string(), now).await?;
    }
    for _ in 0..50 {
        let t = Instant::now();
        let s = keel_projections::domains::summary(&db, &small.to_string(), now).await?;
        lat.0.push(t.elapsed());
        anyhow::ensure!(s.total_domains == o.small as i64, "small portfolio: {s:?}");
        let t = Instant::now();
        let s = keel_projections::domains::summary(&db, &large.to_string(), now).await?;
        lat.1.push(t.elapsed());
        anyhow::ensure!(s.total_domains == o.large as i64, "large portfolio: {s:?}");
    }
    let (s, l) = (median(lat.0), median(lat.1));
    Ok(format!(
        "domain scans (local authoritative DNS, concurrency {}): {scans_per_s:.0} domains/s ({} domains, {failed} with failed lookups; {per_scan:.0} lookups each, {:.0} lookups/s) | plain A lookups {lookups_per_s:.0}/s | ratio {:.2}\n\
         portfolio summary (Postgres, median of 50; read models built by the projection in {:.0} s): {} domains {:.2} ms | {} domains {:.2} ms | ratio {:.2} (target <= 2)\n",
        o.concurrency,
        o.domains,
        scans_per_s * per_scan,
        scans_per_s * per_scan / lookups_per_s,
        built.as_secs_f64(),
        o.small,
        s.as_secs_f64() * 1e3,
        o.large,
        l.as_secs_f64() * 1e3,
        l.as_secs_f64() / s.as_secs_f64(),
    ))
}

/// Counts the lookups a scan makes.
struct Counting {
    inner: Arc<dyn Lookup>,
    n: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl Lookup for Counting {
    async fn lookup(&self, name: &str, rtype: Rtype) -> keel_infra::dns::Answer {
        self.n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.lookup(name, rtype).await
    }
}
