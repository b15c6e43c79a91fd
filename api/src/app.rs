//! The application as a value: `Application::build` wires the roles, `run_until_stopped` serves
//! until a shutdown signal, then lets in-flight requests finish and background roles stop.

use crate::auth::hash_secret;
use crate::error::{ApiError, REQUEST_ID};
use crate::routes;
use crate::state::{AppState, BrokerCheck};
use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpServer};
use keel_infra::config::Config;
use keel_infra::{metrics, Db, SqlStore};
use keel_projections::Projection;
use std::net::TcpListener;
use std::time::Instant;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Every role in one process.
    All,
    /// The HTTP API only.
    Api,
    /// Tails the log into Kafka (needs KEEL_KAFKA_BROKERS).
    Relay,
    /// Builds read models (from Kafka when configured, else from the log).
    Projector,
    /// Background work: domain scans and RDAP lookups, CSV exports, webhook deliveries.
    Worker,
}

impl Role {
    fn serves_http(self) -> bool {
        matches!(self, Role::All | Role::Api)
    }
    fn projects(self) -> bool {
        matches!(self, Role::All | Role::Projector)
    }
    fn relays(self) -> bool {
        matches!(self, Role::All | Role::Relay)
    }
    fn scans(self) -> bool {
        matches!(self, Role::All | Role::Worker)
    }
}

pub struct Application {
    server: Option<Server>,
    port: u16,
    background: Vec<JoinHandle<()>>,
    shutdown: watch::Sender<bool>,
    pub store: SqlStore,
}

/// What `keel serve` tells the person who started it: where it serves, where the docs are, where
/// its data is, and what it runs.
pub fn banner(config: &Config, role: Role, port: u16) -> String {
    let mut lines = vec![format!("keel {} is running", env!("CARGO_PKG_VERSION"))];
    if port != 0 {
        let host = config
            .listen
            .rsplit_once(':')
            .map_or("127.0.0.1", |(h, _)| h);
        let host = match host {
            "0.0.0.0" | "[::]" | "::" => "127.0.0.1",
            h => h,
        };
        lines.push(format!("  API:   http://{host}:{port}/api/v1/"));
        lines.push(format!("  docs:  http://{host}:{port}/docs/"));
    }
    let data = if config.is_embedded() {
        let dir =
            std::fs::canonicalize(&config.data_dir).unwrap_or_else(|_| config.data_dir.clone());
        format!("embedded SQLite in {}", dir.display())
    } else {
        "Postgres (KEEL_DATABASE_URL)".to_string()
    };
    lines.push(format!("  data:  {data}"));
    let feed = if config.kafka.brokers.is_some() {
        "Kafka"
    } else {
        "the log, in process"
    };
    let roles = match role {
        Role::All => "every role (api, relay, projector, worker)",
        Role::Api => "the API",
        Role::Relay => "the relay",
        Role::Projector => "the projectors",
        Role::Worker => "the worker (scans, exports, webhooks, alerts)",
    };
    if matches!(role, Role::All | Role::Projector) {
        lines.push(format!("  runs:  {roles}; read models fed from {feed}"));
    } else {
        lines.push(format!("  runs:  {roles}"));
    }
    lines.join("\n")
}

/// Opens the database (creating the embedded data directory) and applies migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    if config.is_embedded() && config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let url = config.database_url_with_timeouts();
    let db = Db::connect(&url, if config.is_embedded() { 8 } else { 20 }).await?;
    keel_infra::migrate::run(&db).await?;
    keel_projections::ensure_tables(&db).await?;
    Ok(db)
}

/// Accepted operator-token hashes. With no configured token and none stored, one is generated and
/// printed once; only its hash is kept.
async fn operator_hashes(db: &Db, config: &Config) -> anyhow::Result<Vec<String>> {
    let mut hashes: Vec<String> = config.admin_token.iter().map(|t| hash_secret(t)).collect();
    let stored = keel_infra::edge::operator_token_hashes(db).await?;
    if hashes.is_empty() && stored.is_empty() {
        let token = crate::auth::generate_key(crate::auth::KeyKind::Admin, &mut rand::rngs::OsRng);
        keel_infra::edge::store_operator_token(
            db,
            &hash_secret(&token),
            &keel_schemas::format_ts(chrono::Utc::now()),
        )
        .await?;
        eprintln!(
            "\nKeel operator token (shown once, store it now):\n\n    {token}\n\n\
             It stays valid across restarts (only its hash is kept in the database). A token set with\n\
             KEEL_ADMIN_TOKEN works only while it is set, besides this one.\n"
        );
        hashes.push(hash_secret(&token));
    }
    hashes.extend(stored);
    Ok(hashes)
}

fn broker_check(brokers: String) -> BrokerCheck {
    Box::new(move || {
        let b = brokers.clone();
        Box::pin(async move { keel_infra::kafka::broker_reachable(&b).await })
    })
}

fn request_id(req: &actix_web::dev::ServiceRequest) -> String {
    req.headers()
        .get("X-Request-ID")
        .and_then(|v| v.to_str().ok())
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 128
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| format!("req_{}", uuid::Uuid::now_v7().simple()))
}

/// How long an idle HTTP connection is kept open (docs/operations.md).
pub const KEEP_ALIVE_SECS: u64 = 120;

impl Application {
    pub async fn build(config: Config, role: Role) -> anyhow::Result<Application> {
        let db = open_database(&config).await?;
        let store = SqlStore::start(db.clone()).await?;
        if role.projects() {
            // A release that changed a read model's tables rebuilds it before anything reads it.
            for (p, report) in keel_infra::rebuild::reshape(&store).await? {
                eprintln!(
                    "rebuilt the {} read model for this release's tables ({} events)",
                    p.name(),
                    report.events
                );
            }
        }
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut background = Vec::new();
        if role.relays() {
            background.extend(start_relay(&config, &store, role, &shutdown_rx)?);
        }
        if role.projects() {
            background.extend(start_projectors(&config, &db, &store, &shutdown_rx)?);
        }
        if role.scans() {
            background.extend(start_worker(&config, &store, &shutdown_rx)?);
        }
        let (server, port) = if role.serves_http() {
            let (server, port, jobs) = start_api(&config, &db, &store, &shutdown_rx).await?;
            background.extend(jobs);
            (Some(server), port)
        } else {
            (None, 0)
        };
        Ok(Application {
            server,
            port,
            background,
            shutdown,
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM (or until `stop` is signalled), then shuts down gracefully.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Application {
            server,
            background,
            shutdown,
            store,
            ..
        } = self;
        let handle = server.as_ref().map(|s| s.handle());
        let signal = async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            #[cfg(not(unix))]
            ctrl_c.await?;
            anyhow::Ok(())
        };
        match server {
            Some(server) => {
                tokio::select! {
                    r = server => r?,
                    r = signal => {
                        r?;
                        tracing::info!("shutting down: finishing in-flight requests");
                        if let Some(h) = handle { h.stop(true).await; }
                    }
                }
            }
            None => signal.await?,
        }
        let _ = shutdown.send(true);
        for task in background {
            let _ = task.await;
        }
        // Everything has stopped writing: fold the SQLite write-ahead log into the database file,
        // so that the data directory alone is a complete copy.
        if let Err(e) = store.db().checkpoint().await {
            tracing::warn!(error = %e, "could not checkpoint the write-ahead log");
        }
        Ok(())
    }

    /// Starts serving in the background (tests): returns a handle that stops everything on drop.
    pub fn spawn(self) -> RunningApp {
        let port = self.port;
        let shutdown = self.shutdown.clone();
        let store = self.store.clone();
        let handle = self.server.as_ref().map(|s| s.handle());
        let Application {
            server, background, ..
        } = self;
        if let Some(server) = server {
            tokio::spawn(server);
        }
        RunningApp {
            port,
            shutdown,
            handle,
            background,
            store,
        }
    }
}

pub struct RunningApp {
    pub port: u16,
    pub store: SqlStore,
    shutdown: watch::Sender<bool>,
    handle: Option<actix_web::dev::ServerHandle>,
    background: Vec<JoinHandle<()>>,
}

impl RunningApp {
    /// Stops the HTTP server and every background role, waiting for them to finish.
    pub async fn stop(mut self) {
        if let Some(h) = self.handle.take() {
            h.stop(true).await;
        }
        let _ = self.shutdown.send(true);
        for t in std::mem::take(&mut self.background) {
            let _ = t.await;
        }
    }
}

impl RunningApp {
    /// Stops everything at once, as a crash would: background tasks are dropped wherever they
    /// are (open transactions roll back, requests in flight are cut off), nothing is flushed.
    pub fn kill(mut self) {
        if let Some(h) = self.handle.take() {
            drop(h.stop(false));
        }
        for t in std::mem::take(&mut self.background) {
            t.abort();
        }
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(h) = self.handle.take() {
            drop(h.stop(false));
        }
    }
}

type Tasks = Vec<JoinHandle<()>>;

/// The relay role: the chainer (tamper evidence), and the relay from the log into Kafka.
fn start_relay(
    config: &Config,
    store: &SqlStore,
    role: Role,
    shutdown_rx: &watch::Receiver<bool>,
) -> anyhow::Result<Tasks> {
    let mut background = Vec::new();
    let kafka = config.kafka.brokers.clone();
    // Tamper evidence: chain every event of a workspace to the one before (one chainer
    // works at a time, whichever process holds its lock).
    background.push(tokio::spawn(keel_infra::chain::run(
        store.clone(),
        shutdown_rx.clone(),
    )));
    if let Some(brokers) = &kafka {
        let relay = keel_infra::relay::Relay::new(
            store.clone(),
            brokers,
            &config.kafka.topic,
            config.kafka.partitions,
        )?;
        background.push(tokio::spawn(relay.run(shutdown_rx.clone())));
    } else if role == Role::Relay {
        anyhow::bail!("--role relay needs KEEL_KAFKA_BROKERS");
    }
    Ok(background)
}

/// The projector role: a projector per read model, from Kafka (with the sweeper behind it) or
/// from the log.
fn start_projectors(
    config: &Config,
    db: &Db,
    store: &SqlStore,
    shutdown_rx: &watch::Receiver<bool>,
) -> anyhow::Result<Tasks> {
    let mut background = Vec::new();
    let kafka = config.kafka.brokers.clone();
    for p in Projection::ALL {
        match &kafka {
            Some(brokers) => {
                let consumer = keel_infra::consumer::KafkaProjector::new(
                    db.clone(),
                    p,
                    brokers,
                    &config.kafka.topic,
                    config.kafka.group_instance_id.as_deref(),
                )?;
                background.push(tokio::spawn(consumer.run(shutdown_rx.clone())));
                // Anything the broker fails to deliver is applied from the log.
                background.push(tokio::spawn(keel_infra::sweeper::run(
                    store.clone(),
                    p,
                    shutdown_rx.clone(),
                )));
            }
            None => background.push(tokio::spawn(keel_infra::feed::run(
                store.clone(),
                p,
                shutdown_rx.clone(),
            ))),
        }
    }
    background.push(tokio::spawn(keel_infra::retention::run(
        db.clone(),
        config.analytics_raw_retention_days,
        config.clock.clone(),
        shutdown_rx.clone(),
    )));
    Ok(background)
}

/// The worker role: exports, webhook delivery, alerts, the domain scanner and RDAP lookups.
fn start_worker(
    config: &Config,
    store: &SqlStore,
    shutdown_rx: &watch::Receiver<bool>,
) -> anyhow::Result<Tasks> {
    let mut background = vec![tokio::spawn(keel_infra::exports::run(
        store.clone(),
        shutdown_rx.clone(),
    ))];
    if config.webhooks.enabled {
        background.push(tokio::spawn(keel_infra::webhooks::run(
            store.clone(),
            config.webhook_settings(),
            shutdown_rx.clone(),
        )));
    }
    background.push(tokio::spawn(crate::alerts::run(
        crate::alerts::AlertWorker {
            store: store.clone(),
            clock: config.clock.clone(),
            mailer: match &config.smtp_url {
                Some(url) => Some(keel_infra::mail::Mailer::new(url, &config.smtp_from)?),
                None => None,
            },
            sender: keel_infra::webhooks::Sender::new(&config.webhook_settings())?,
            interval: std::time::Duration::from_secs(config.alerts_interval_secs.max(1)),
            public_url: config.public_url.clone(),
        },
        shutdown_rx.clone(),
    )));
    if config.scanner.enabled {
        let servers: Vec<String> = config
            .dns_servers
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let dns = keel_infra::dns::HickoryLookup::new(
            &servers,
            std::time::Duration::from_millis(config.scanner.dns_timeout_ms),
        )?;
        background.push(tokio::spawn(keel_infra::scanner::run(
            store.clone(),
            std::sync::Arc::new(dns),
            keel_infra::scanner::ScannerConfig {
                interval: std::time::Duration::from_secs(config.scanner.interval_secs),
                concurrency: config.scanner.concurrency,
                deadline: std::time::Duration::from_millis(config.scanner.dns_timeout_ms * 6),
                geo: keel_infra::geoip::GeoIp::open(
                    config.scanner.geoip_city_path.as_deref(),
                    config.scanner.geoip_asn_path.as_deref(),
                )?
                .map(std::sync::Arc::new),
            },
            shutdown_rx.clone(),
        )));
        let rdap = keel_infra::rdap::Rdap::new(
            keel_infra::rdap::RdapServers::parse(config.scanner.rdap_servers.as_deref())?,
            std::time::Duration::from_secs(10),
        )?;
        background.push(tokio::spawn(keel_infra::scanner::run_whois(
            store.clone(),
            std::sync::Arc::new(rdap),
            std::time::Duration::from_secs(config.scanner.whois_interval_secs),
            shutdown_rx.clone(),
        )));
    }
    if config.tracking.enabled {
        let scanner =
            keel_infra::tracking::Scanner::new(store.clone(), config.tracking_settings())?;
        background.push(tokio::spawn(keel_infra::tracking::run(
            std::sync::Arc::new(scanner),
            shutdown_rx.clone(),
        )));
    }

    Ok(background)
}

/// The api role: the HTTP server and its housekeeping.
async fn start_api(
    config: &Config,
    db: &Db,
    store: &SqlStore,
    shutdown_rx: &watch::Receiver<bool>,
) -> anyhow::Result<(Server, u16, Tasks)> {
    let mut background = Vec::new();
    let kafka = config.kafka.brokers.clone();
    let broker_check = kafka.clone().map(broker_check);
    let limiter = crate::limits::Limiter::new(config.redis_url.as_deref()).await?;
    let geo = match &config.geoip_path {
        Some(path) => {
            let g = crate::geo::GeoDb::load(path)
                .map_err(|e| anyhow::anyhow!("KEEL_GEOIP_PATH: {e}"))?;
            tracing::info!(ranges = g.len(), "GeoIP ranges loaded");
            Some(std::sync::Arc::new(g))
        }
        None => None,
    };
    let city_geo = keel_infra::geoip::GeoIp::open(config.scanner.geoip_city_path.as_deref(), None)?
        .map(std::sync::Arc::new);
    let listener = TcpListener::bind(&config.listen)?;
    let self_addr = listener.local_addr()?;
    let port = self_addr.port();
    let state = web::Data::new(AppState {
        self_addr,
        limiter,
        activity: Default::default(),
        key_cache: Default::default(),
        salt: Default::default(),
        rebuilds: Default::default(),
        webhooks: keel_infra::webhooks::Sender::new(&config.webhook_settings())?,
        syncer: keel_infra::integrations::Syncer::new(
            store.clone(),
            db.clone(),
            &config.stripe_api_url,
        ),
        mcp_remote: std::sync::Arc::new(keel_infra::mcp_remote::RemoteClient::new(
            &config.mcp_remote_settings(),
        )?),
        mailer: match &config.smtp_url {
            Some(url) => Some(keel_infra::mail::Mailer::new(url, &config.smtp_from)?),
            None => None,
        },
        accounts: Default::default(),
        geo,
        city_geo,
        operator_hashes: operator_hashes(db, config).await?,
        config: config.clone(),
        db: db.clone(),
        store: store.clone(),
        broker_check,
        watermarks: Default::default(),
    });
    background.push(tokio::spawn(crate::jobs::housekeeping(
        state.clone().into_inner(),
        shutdown_rx.clone(),
    )));
    background.push(tokio::spawn(crate::routes::query::run_exports(
        state.clone().into_inner(),
        shutdown_rx.clone(),
    )));
    let server =
        HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                // Extractor failures answer in the API's error shape, not actix's plain text.
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    ApiError::BadRequest(format!("query string: {e}")).into()
                }))
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|e, _| ApiError::BadRequest(format!("path: {e}")).into()),
                )
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer"))
                        .add(("Cache-Control", "no-store")),
                )
                .wrap_fn(|req, srv| {
                    let id = request_id(&req);
                    let method = req.method().to_string();
                    let started = Instant::now();
                    let fut = REQUEST_ID.sync_scope(id.clone(), || srv.call(req));
                    REQUEST_ID.scope(id.clone(), async move {
                        let mut res = fut.await?;
                        let route = res
                            .request()
                            .match_pattern()
                            .unwrap_or_else(|| "unmatched".into());
                        let status = res.status();
                        metrics::HTTP_SECONDS
                            .with_label_values(&[&method, &route, status.as_str()])
                            .observe(started.elapsed().as_secs_f64());
                        tracing::info!(request_id = %id, %method, %route, status = status.as_u16(),
                        elapsed_ms = started.elapsed().as_millis() as u64, "request");
                        if let Ok(v) = HeaderValue::from_str(&id) {
                            res.headers_mut()
                                .insert(HeaderName::from_static("x-request-id"), v);
                        }
                        Ok(res)
                    })
                })
                .route("/metrics", web::get().to(routes::ops::metrics))
                .configure(crate::console::routes)
                .configure(crate::mcp::routes)
                .route(
                    "/docs",
                    web::get().to(|| async {
                        actix_web::HttpResponse::PermanentRedirect()
                            .insert_header(("Location", "/docs/"))
                            .finish()
                    }),
                )
                .service(crate::openapi::service())
                .route("/redoc", web::get().to(crate::openapi::redoc))
                .route("/redoc/", web::get().to(crate::openapi::redoc))
                .route(
                    "/redoc/redoc.standalone.js",
                    web::get().to(crate::openapi::redoc_js),
                )
                .service(
                    web::scope("/api/v1")
                        .wrap(actix_web::middleware::from_fn(crate::edge::edge))
                        .wrap(
                            DefaultHeaders::new()
                                .add((
                                    "Content-Security-Policy",
                                    "default-src 'none'; frame-ancestors 'none'",
                                ))
                                .add(("Cross-Origin-Resource-Policy", "same-origin")),
                        )
                        .wrap(NormalizePath::new(TrailingSlash::Trim))
                        .route("", web::get().to(crate::openapi::index))
                        .configure(routes::ops::routes)
                        .configure(routes::workspaces::routes)
                        .configure(routes::keys::routes)
                        .configure(routes::sites::routes)
                        .configure(routes::analytics::routes)
                        .configure(routes::stats::routes)
                        .configure(routes::query::routes)
                        .configure(routes::insights::routes)
                        .configure(routes::funnels::routes)
                        .configure(routes::site_data::routes)
                        .configure(routes::pixel::routes)
                        .configure(routes::dashboards::routes)
                        .configure(routes::alerts::routes)
                        .configure(routes::webhooks::routes)
                        .configure(routes::domains::routes)
                        .configure(routes::exports::routes)
                        .configure(routes::usage::routes)
                        .configure(routes::audit::routes)
                        .configure(routes::admin::routes)
                        .configure(routes::people::routes)
                        .configure(routes::tracking::routes)
                        .configure(routes::mcp::routes)
                        .configure(routes::integrations::routes)
                        .route("/openapi.json", web::get().to(crate::openapi::document))
                        .route(
                            "/openapi.yaml",
                            web::get().to(crate::openapi::document_yaml),
                        ),
                )
                .default_service(web::to(|| async {
                    Err::<actix_web::HttpResponse, _>(ApiError::NotFound("route"))
                }))
        })
        // Idle keep-alive connections are held longer than clients pool them (reqwest and
        // hyper 90 s, nginx 75 s, load balancers 60 s). With actix's 5 s, a client reusing a
        // connection the server was closing at that moment saw its request fail unsent
        // ("connection closed before message completed"): the client must close first.
        .keep_alive(std::time::Duration::from_secs(KEEP_ALIVE_SECS))
        .listen(listener)?
        .shutdown_timeout(30)
        .disable_signals()
        .run();
    Ok((server, port, background))
}
