//! Configuration: defaults, then `keel.toml`, then `KEEL_*` environment variables.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The process: where it listens and stores, what it connects to, its limits. Each section's
/// settings keep their flat names in `keel.toml` (`kafka_brokers`, `scan_concurrency`, …) and
/// their `KEEL_*` variables.
#[derive(Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(default)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// Never printed: `Debug` shows only whether it is set.
    pub admin_token: Option<String>,
    pub redis_url: Option<String>,
    /// Resolvers for the scanner and for webhook targets (`host:port,…`; default: the system's).
    pub dns_servers: Option<String>,
    pub log_format: Option<String>,
    pub max_body_bytes: usize,
    /// Longest a single database statement may run (Postgres `statement_timeout`) and longest a
    /// request waits for a pooled connection; past it the API answers 503.
    pub db_timeout_ms: u64,
    /// An IP-to-country CSV (`first_ip,last_ip,country_code` per line, as in DB-IP's free
    /// "IP to Country Lite"); without one, analytics record no country.
    pub geoip_path: Option<PathBuf>,
    /// Where clients reach Keel (`https://api.example.com`): the base of every link Keel writes
    /// (`meta.next`, …). Unset: the scheme and `Host` of each request.
    pub public_url: Option<String>,
    /// Take the scheme and host of links from `X-Forwarded-Proto`/`X-Forwarded-Host` (only behind a
    /// proxy that sets them; anyone can send them otherwise).
    pub trust_proxy: bool,
    /// Web origins (`https://app.example.com`, comma-separated) whose pages may call the MCP
    /// endpoint; besides them only `KEEL_PUBLIC_URL`'s (or, without it, localhost's).
    pub mcp_allowed_origins: String,
    /// Let workspaces register remote MCP servers on private addresses and over plain http
    /// (a server on the same network). Off: the gateway's SSRF guard refuses them.
    pub mcp_remote_allow_private: bool,
    /// Largest answer the gateway reads from a remote MCP server.
    pub mcp_remote_max_bytes: usize,
    /// Stripe's API (`KEEL_STRIPE_API_URL`; tests point it at localstripe).
    pub stripe_api_url: String,
    /// Seconds between two syncs of every active integration (0: only on demand and by
    /// webhooks).
    pub stripe_sync_interval_secs: u64,
    /// Outgoing mail (`smtp://host:port`, `smtps://user:pass@host`, `smtp://…?tls=required`):
    /// invitations and password resets. Unset: links are returned to the inviter instead.
    /// Never printed (it may hold a password).
    pub smtp_url: Option<String>,
    /// The `From` of Keel's mail.
    pub smtp_from: String,
    /// Development mode: session cookies without `Secure`, so they work over plain http.
    pub dev: bool,
    /// Seconds between two evaluations of every alert (the worker role).
    pub alerts_interval_secs: u64,
    /// Days of raw analytics hits kept (the projector role drops older ones; rollups stay).
    pub analytics_raw_retention_days: u64,
    #[serde(flatten)]
    pub kafka: KafkaConfig,
    #[serde(flatten)]
    pub scanner: ScanConfig,
    #[serde(flatten)]
    pub webhooks: WebhookConfig,
    #[serde(flatten)]
    pub tracking: TrackingConfig,
    /// What time it is for the API's rules (tests set a manual clock; never from a file).
    #[serde(skip)]
    pub clock: crate::clock::Clock,
}

/// The broker: without `brokers`, projectors tail the log in process.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(default)]
pub struct KafkaConfig {
    #[serde(rename = "kafka_brokers")]
    pub brokers: Option<String>,
    #[serde(rename = "kafka_topic")]
    pub topic: String,
    #[serde(rename = "kafka_partitions")]
    pub partitions: i32,
    /// Static consumer-group membership (KIP-345): a restarted projector with the same id takes
    /// its partitions back without a rebalance. Use a stable name per replica (a pod name).
    #[serde(rename = "kafka_group_instance_id")]
    pub group_instance_id: Option<String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            brokers: None,
            topic: "keel.events".into(),
            partitions: 6,
            group_instance_id: None,
        }
    }
}

/// The domain scanner.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(default)]
pub struct ScanConfig {
    /// Whether this process scans domains (the worker role; `serve` runs it too).
    #[serde(rename = "scanner")]
    pub enabled: bool,
    /// Seconds between two scans of a domain.
    #[serde(rename = "scan_interval_secs")]
    pub interval_secs: u64,
    /// Domains scanned at once.
    #[serde(rename = "scan_concurrency")]
    pub concurrency: usize,
    /// Timeout of one DNS query.
    pub dns_timeout_ms: u64,
    /// RDAP servers: `default=URL,tld=URL,…` (default: https://rdap.org/).
    pub rdap_servers: Option<String>,
    /// Seconds between two RDAP lookups of a domain.
    pub whois_interval_secs: u64,
    /// A MaxMind-format City database (GeoLite2-City.mmdb): where scanned mail and web servers
    /// are (country, region, city, coordinates). Unset: those fields are null.
    pub geoip_city_path: Option<PathBuf>,
    /// A MaxMind-format ASN database (GeoLite2-ASN.mmdb): the network of scanned servers.
    pub geoip_asn_path: Option<PathBuf>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            enabled: true,
            interval_secs: 24 * 3600,
            concurrency: 32,
            dns_timeout_ms: 2_000,
            rdap_servers: None,
            whois_interval_secs: 7 * 24 * 3600,
            geoip_city_path: None,
            geoip_asn_path: None,
        }
    }
}

/// The Tracking Checker (page scans) and the Google APIs it may call.
#[derive(Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(default)]
pub struct TrackingConfig {
    /// Whether this process runs requested scans (the worker role; `serve` runs it too).
    #[serde(rename = "tracking_checker")]
    pub enabled: bool,
    /// Whether scanned pages may be on private addresses (never in production).
    #[serde(rename = "scanner_allow_private")]
    pub allow_private: bool,
    /// Longest the page fetch may take.
    #[serde(rename = "tracking_timeout_ms")]
    pub timeout_ms: u64,
    /// Largest page read.
    #[serde(rename = "tracking_max_bytes")]
    pub max_bytes: usize,
    /// Scans run at once per process.
    #[serde(rename = "tracking_concurrency")]
    pub concurrency: usize,
    /// How long `POST /tracking-checker/scan` waits for the result before answering 202.
    #[serde(rename = "tracking_wait_ms")]
    pub wait_ms: u64,
    /// A Chromium for the rendered pass (Debian's `/usr/bin/chromium`).
    pub chromium_path: Option<String>,
    /// Extra flags for that browser, separated by spaces (a proxy, say).
    pub chromium_args: String,
    /// Never printed.
    pub pagespeed_api_key: Option<String>,
    pub pagespeed_url: String,
    /// Never printed.
    pub gemini_api_key: Option<String>,
    pub gemini_url: String,
    pub gemini_model: String,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        TrackingConfig {
            enabled: true,
            allow_private: false,
            timeout_ms: 15_000,
            max_bytes: 5 * 1024 * 1024,
            concurrency: 2,
            wait_ms: 25_000,
            chromium_path: None,
            chromium_args: String::new(),
            pagespeed_api_key: None,
            pagespeed_url: "https://www.googleapis.com".into(),
            gemini_api_key: None,
            gemini_url: "https://generativelanguage.googleapis.com".into(),
            gemini_model: "gemini-2.5-flash".into(),
        }
    }
}

impl std::fmt::Debug for TrackingConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackingConfig")
            .field("enabled", &self.enabled)
            .field("allow_private", &self.allow_private)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_bytes", &self.max_bytes)
            .field("concurrency", &self.concurrency)
            .field("wait_ms", &self.wait_ms)
            .field("chromium_path", &self.chromium_path)
            .field("chromium_args", &self.chromium_args)
            .field(
                "pagespeed_api_key",
                &self.pagespeed_api_key.as_ref().map(|_| "***"),
            )
            .field("pagespeed_url", &self.pagespeed_url)
            .field(
                "gemini_api_key",
                &self.gemini_api_key.as_ref().map(|_| "***"),
            )
            .field("gemini_url", &self.gemini_url)
            .field("gemini_model", &self.gemini_model)
            .finish()
    }
}

/// The webhook dispatcher.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(default)]
pub struct WebhookConfig {
    /// Whether this process delivers webhooks (the worker role; `serve` runs it too).
    #[serde(rename = "webhooks")]
    pub enabled: bool,
    /// Whether endpoints may resolve to private addresses (never in production).
    #[serde(rename = "webhooks_allow_private")]
    pub allow_private: bool,
    /// Timeout of one delivery attempt.
    #[serde(rename = "webhook_timeout_ms")]
    pub timeout_ms: u64,
    /// Waits between attempts, `5s,5m,30m,2h,5h,10h,10h` (units ms, s, m, h).
    #[serde(rename = "webhook_retry_schedule")]
    pub retry_schedule: String,
    /// Consecutive failed attempts after which an endpoint is disabled...
    #[serde(rename = "webhook_disable_after")]
    pub disable_after: i64,
    /// ...once it has been failing for at least this many seconds.
    #[serde(rename = "webhook_disable_after_secs")]
    pub disable_after_secs: u64,
    /// Deliveries in flight at once per process.
    #[serde(rename = "webhook_concurrency")]
    pub concurrency: usize,
    /// Days a finished delivery (delivered, or failed for good) stays listed; then it is
    /// deleted. Counters are kept.
    #[serde(rename = "webhook_retention_days")]
    pub retention_days: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            enabled: true,
            allow_private: false,
            timeout_ms: 10_000,
            retry_schedule: crate::webhooks::DEFAULT_SCHEDULE.into(),
            disable_after: 20,
            disable_after_secs: 24 * 3600,
            concurrency: 32,
            retention_days: 30,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./keel-data"),
            database_url: None,
            admin_token: None,
            redis_url: None,
            dns_servers: None,
            log_format: None,
            max_body_bytes: 1024 * 1024,
            db_timeout_ms: 5_000,
            geoip_path: None,
            public_url: None,
            trust_proxy: false,
            mcp_allowed_origins: String::new(),
            mcp_remote_allow_private: false,
            mcp_remote_max_bytes: 4 << 20,
            stripe_api_url: crate::stripe::DEFAULT_API_URL.into(),
            stripe_sync_interval_secs: 3600,
            smtp_url: None,
            smtp_from: "Keel <keel@localhost>".into(),
            alerts_interval_secs: 60,
            analytics_raw_retention_days: 400,
            dev: false,
            kafka: KafkaConfig::default(),
            scanner: ScanConfig::default(),
            webhooks: WebhookConfig::default(),
            tracking: TrackingConfig::default(),
            clock: crate::clock::Clock::system(),
        }
    }
}

impl Config {
    /// The webhook dispatcher's settings.
    pub fn webhook_settings(&self) -> crate::webhooks::WebhookSettings {
        let w = &self.webhooks;
        crate::webhooks::WebhookSettings {
            allow_private: w.allow_private,
            timeout: std::time::Duration::from_millis(w.timeout_ms.max(1)),
            schedule: crate::webhooks::parse_schedule(&w.retry_schedule).unwrap_or_default(),
            disable_after: w.disable_after.max(1),
            disable_after_period: std::time::Duration::from_secs(w.disable_after_secs),
            concurrency: w.concurrency.max(1),
            dns_servers: self
                .dns_servers
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    /// The MCP gateway's settings.
    pub fn mcp_remote_settings(&self) -> crate::mcp_remote::RemoteSettings {
        crate::mcp_remote::RemoteSettings {
            allow_private: self.mcp_remote_allow_private,
            max_bytes: self.mcp_remote_max_bytes.max(1024),
            dns_servers: self.webhook_settings().dns_servers,
        }
    }

    /// The Tracking Checker's settings.
    pub fn tracking_settings(&self) -> crate::tracking::Settings {
        let t = &self.tracking;
        crate::tracking::Settings {
            allow_private: t.allow_private,
            timeout: std::time::Duration::from_millis(t.timeout_ms.max(1)),
            max_bytes: t.max_bytes.max(1024),
            concurrency: t.concurrency.max(1),
            dns_servers: self.webhook_settings().dns_servers,
            chromium_path: t.chromium_path.clone(),
            chromium_args: split_args(&t.chromium_args),
            google: crate::tracking::google::GoogleSettings {
                pagespeed_api_key: t.pagespeed_api_key.clone(),
                pagespeed_url: t.pagespeed_url.clone(),
                gemini_api_key: t.gemini_api_key.clone(),
                gemini_url: t.gemini_url.clone(),
                gemini_model: t.gemini_model.clone(),
                timeout: std::time::Duration::from_secs(60),
            },
        }
    }

    /// Every key `keel.toml` may hold: the flat names of every section.
    pub fn file_keys() -> Vec<String> {
        // Through JSON, which keeps unset options as `null` (TOML leaves them out).
        match serde_json::to_value(Config::default()) {
            Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
            _ => vec![],
        }
    }
}

/// Secrets (the operator token, a database password) never appear in `{:?}`.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let database_url = self
            .database_url
            .as_ref()
            .map(|u| match url::Url::parse(u) {
                Ok(mut parsed) if parsed.password().is_some() => {
                    let _ = parsed.set_password(Some("***"));
                    parsed.to_string()
                }
                _ => u.clone(),
            });
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &database_url)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "***"))
            .field("redis_url", &self.redis_url.as_ref().map(|_| "***"))
            .field("dns_servers", &self.dns_servers)
            .field("log_format", &self.log_format)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("db_timeout_ms", &self.db_timeout_ms)
            .field("geoip_path", &self.geoip_path)
            .field("public_url", &self.public_url)
            .field("trust_proxy", &self.trust_proxy)
            .field("mcp_allowed_origins", &self.mcp_allowed_origins)
            .field("mcp_remote_allow_private", &self.mcp_remote_allow_private)
            .field("mcp_remote_max_bytes", &self.mcp_remote_max_bytes)
            .field("stripe_api_url", &self.stripe_api_url)
            .field("stripe_sync_interval_secs", &self.stripe_sync_interval_secs)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "***"))
            .field("smtp_from", &self.smtp_from)
            .field("dev", &self.dev)
            .field("alerts_interval_secs", &self.alerts_interval_secs)
            .field(
                "analytics_raw_retention_days",
                &self.analytics_raw_retention_days,
            )
            .field("kafka", &self.kafka)
            .field("scanner", &self.scanner)
            .field("webhooks", &self.webhooks)
            .field("tracking", &self.tracking)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid {path}: {source}")]
    Toml {
        path: String,
        source: toml::de::Error,
    },
    #[error("invalid value for {name}: {message}")]
    Env { name: &'static str, message: String },
    #[error("{path}: unknown setting `{key}`")]
    UnknownKey { path: String, key: String },
    #[error("KEEL_ADMIN_TOKEN must be at least 32 characters")]
    WeakAdminToken,
}

impl Config {
    /// Loads `keel.toml` from `file` (or `./keel.toml` if present), then applies the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(file, &env)
    }

    pub fn load_from(file: Option<&Path>, env: &[(String, String)]) -> Result<Config, ConfigError> {
        let default_path = Path::new("keel.toml");
        let path = file.or_else(|| default_path.exists().then_some(default_path));
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                let table: toml::Table =
                    toml::from_str(&text).map_err(|source| ConfigError::Toml {
                        path: p.display().to_string(),
                        source,
                    })?;
                let known = Config::file_keys();
                if let Some(unknown) = table.keys().find(|k| !known.contains(k)) {
                    return Err(ConfigError::UnknownKey {
                        path: p.display().to_string(),
                        key: unknown.clone(),
                    });
                }
                toml::Value::Table(table)
                    .try_into()
                    .map_err(|source| ConfigError::Toml {
                        path: p.display().to_string(),
                        source,
                    })?
            }
            None => Config::default(),
        };
        let get = |name: &str| {
            env.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = get("KEEL_LISTEN") {
            config.listen = v;
        }
        if let Some(v) = get("KEEL_DATA_DIR") {
            config.data_dir = v.into();
        }
        if let Some(v) = get("KEEL_DATABASE_URL") {
            config.database_url = Some(v);
        }
        if let Some(v) = get("KEEL_KAFKA_BROKERS") {
            config.kafka.brokers = Some(v);
        }
        if let Some(v) = get("KEEL_KAFKA_TOPIC") {
            config.kafka.topic = v;
        }
        if let Some(v) = get("KEEL_KAFKA_PARTITIONS") {
            config.kafka.partitions = v.parse().map_err(|_| ConfigError::Env {
                name: "KEEL_KAFKA_PARTITIONS",
                message: v.clone(),
            })?;
        }
        if let Some(v) = get("KEEL_KAFKA_GROUP_INSTANCE_ID") {
            config.kafka.group_instance_id = Some(v);
        }
        if let Some(v) = get("KEEL_ADMIN_TOKEN") {
            config.admin_token = Some(v);
        }
        if let Some(v) = get("KEEL_REDIS_URL") {
            config.redis_url = Some(v);
        }
        if let Some(v) = get("KEEL_DNS_SERVERS") {
            config.dns_servers = Some(v);
        }
        for (name, slot) in [
            (
                "KEEL_SCAN_INTERVAL_SECONDS",
                &mut config.scanner.interval_secs,
            ),
            ("KEEL_DNS_TIMEOUT_MS", &mut config.scanner.dns_timeout_ms),
            (
                "KEEL_ALERTS_INTERVAL_SECONDS",
                &mut config.alerts_interval_secs,
            ),
            (
                "KEEL_WHOIS_INTERVAL_SECONDS",
                &mut config.scanner.whois_interval_secs,
            ),
            (
                "KEEL_ANALYTICS_RAW_RETENTION_DAYS",
                &mut config.analytics_raw_retention_days,
            ),
        ] {
            if let Some(v) = get(name) {
                *slot = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError::Env {
                        name,
                        message: format!("`{v}`: expected a positive number"),
                    })?;
            }
        }
        if let Some(v) = get("KEEL_SCAN_CONCURRENCY") {
            config.scanner.concurrency = v
                .parse()
                .ok()
                .filter(|n| (1..=1024).contains(n))
                .ok_or_else(|| ConfigError::Env {
                    name: "KEEL_SCAN_CONCURRENCY",
                    message: format!("`{v}`: expected 1 to 1024"),
                })?;
        }
        if let Some(v) = get("KEEL_RDAP_SERVERS") {
            crate::rdap::RdapServers::parse(Some(&v)).map_err(|e| ConfigError::Env {
                name: "KEEL_RDAP_SERVERS",
                message: e.to_string(),
            })?;
            config.scanner.rdap_servers = Some(v);
        }
        if let Some(v) = get("KEEL_GEOIP_CITY_PATH") {
            config.scanner.geoip_city_path = Some(v.into());
        }
        if let Some(v) = get("KEEL_GEOIP_ASN_PATH") {
            config.scanner.geoip_asn_path = Some(v.into());
        }
        if let Some(v) = get("KEEL_SCANNER") {
            config.scanner.enabled = !matches!(v.as_str(), "0" | "false" | "no" | "off");
        }
        if let Some(v) = get("KEEL_SCANNER_ALLOW_PRIVATE") {
            config.tracking.allow_private = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = get("KEEL_TRACKING_CHECKER") {
            config.tracking.enabled = !matches!(v.as_str(), "0" | "false" | "no" | "off");
        }
        for (name, slot) in [
            ("KEEL_TRACKING_TIMEOUT_MS", &mut config.tracking.timeout_ms),
            ("KEEL_TRACKING_WAIT_MS", &mut config.tracking.wait_ms),
        ] {
            if let Some(v) = get(name) {
                *slot = v.parse().map_err(|_| ConfigError::Env {
                    name,
                    message: format!("`{v}`: expected a number of milliseconds"),
                })?;
            }
        }
        for (name, slot) in [
            ("KEEL_TRACKING_MAX_BYTES", &mut config.tracking.max_bytes),
            (
                "KEEL_TRACKING_CONCURRENCY",
                &mut config.tracking.concurrency,
            ),
        ] {
            if let Some(v) = get(name) {
                *slot = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError::Env {
                        name,
                        message: format!("`{v}`: expected a positive number"),
                    })?;
            }
        }
        for (name, slot) in [
            ("KEEL_CHROMIUM_PATH", &mut config.tracking.chromium_path),
            (
                "KEEL_PAGESPEED_API_KEY",
                &mut config.tracking.pagespeed_api_key,
            ),
            ("KEEL_GEMINI_API_KEY", &mut config.tracking.gemini_api_key),
        ] {
            if let Some(v) = get(name) {
                *slot = Some(v);
            }
        }
        for (name, slot) in [
            ("KEEL_PAGESPEED_URL", &mut config.tracking.pagespeed_url),
            ("KEEL_GEMINI_URL", &mut config.tracking.gemini_url),
            ("KEEL_GEMINI_MODEL", &mut config.tracking.gemini_model),
            ("KEEL_CHROMIUM_ARGS", &mut config.tracking.chromium_args),
        ] {
            if let Some(v) = get(name) {
                *slot = v;
            }
        }
        if let Some(v) = get("KEEL_WEBHOOKS_ALLOW_PRIVATE") {
            config.webhooks.allow_private = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = get("KEEL_WEBHOOKS") {
            config.webhooks.enabled = !matches!(v.as_str(), "0" | "false" | "no" | "off");
        }
        if let Some(v) = get("KEEL_WEBHOOK_RETRY_SCHEDULE") {
            crate::webhooks::parse_schedule(&v).map_err(|message| ConfigError::Env {
                name: "KEEL_WEBHOOK_RETRY_SCHEDULE",
                message,
            })?;
            config.webhooks.retry_schedule = v;
        }
        for (name, slot) in [
            ("KEEL_WEBHOOK_TIMEOUT_MS", &mut config.webhooks.timeout_ms),
            (
                "KEEL_WEBHOOK_DISABLE_AFTER_SECONDS",
                &mut config.webhooks.disable_after_secs,
            ),
        ] {
            if let Some(v) = get(name) {
                *slot = v.parse().map_err(|_| ConfigError::Env {
                    name,
                    message: format!("`{v}`: expected a number"),
                })?;
            }
        }
        if let Some(v) = get("KEEL_WEBHOOK_DISABLE_AFTER") {
            config.webhooks.disable_after =
                v.parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError::Env {
                        name: "KEEL_WEBHOOK_DISABLE_AFTER",
                        message: format!("`{v}`: expected a positive number"),
                    })?;
        }
        if let Some(v) = get("KEEL_WEBHOOK_RETENTION_DAYS") {
            config.webhooks.retention_days = v
                .parse()
                .ok()
                .filter(|n| (1..=3650).contains(n))
                .ok_or_else(|| ConfigError::Env {
                    name: "KEEL_WEBHOOK_RETENTION_DAYS",
                    message: format!("`{v}`: expected 1 to 3650"),
                })?;
        }
        if let Some(v) = get("KEEL_WEBHOOK_CONCURRENCY") {
            config.webhooks.concurrency = v
                .parse()
                .ok()
                .filter(|n| (1..=1024).contains(n))
                .ok_or_else(|| ConfigError::Env {
                    name: "KEEL_WEBHOOK_CONCURRENCY",
                    message: format!("`{v}`: expected 1 to 1024"),
                })?;
        }
        if let Some(v) = get("KEEL_LOG_FORMAT") {
            if v != "json" && v != "pretty" {
                return Err(ConfigError::Env {
                    name: "KEEL_LOG_FORMAT",
                    message: format!("`{v}`: expected json or pretty"),
                });
            }
            config.log_format = Some(v);
        }
        if let Some(v) = get("KEEL_MAX_BODY_BYTES") {
            config.max_body_bytes = v.parse().map_err(|_| ConfigError::Env {
                name: "KEEL_MAX_BODY_BYTES",
                message: v.clone(),
            })?;
        }
        if let Some(v) = get("KEEL_DB_TIMEOUT_MS") {
            config.db_timeout_ms =
                v.parse()
                    .ok()
                    .filter(|ms| *ms > 0)
                    .ok_or_else(|| ConfigError::Env {
                        name: "KEEL_DB_TIMEOUT_MS",
                        message: v.clone(),
                    })?;
        }
        if let Some(v) = get("KEEL_GEOIP_PATH") {
            config.geoip_path = Some(v.into());
        }
        if let Some(v) = get("KEEL_PUBLIC_URL") {
            let v = v.trim_end_matches('/').to_string();
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                return Err(ConfigError::Env {
                    name: "KEEL_PUBLIC_URL",
                    message: format!("`{v}` is not an http(s) URL"),
                });
            }
            config.public_url = Some(v);
        }
        if let Some(v) = get("KEEL_MCP_ALLOWED_ORIGINS") {
            config.mcp_allowed_origins = v;
        }
        if let Some(v) = get("KEEL_STRIPE_API_URL") {
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                return Err(ConfigError::Env {
                    name: "KEEL_STRIPE_API_URL",
                    message: format!("`{v}` is not an http(s) URL"),
                });
            }
            config.stripe_api_url = v;
        }
        if let Some(v) = get("KEEL_STRIPE_SYNC_INTERVAL_SECONDS") {
            config.stripe_sync_interval_secs = v.parse().map_err(|_| ConfigError::Env {
                name: "KEEL_STRIPE_SYNC_INTERVAL_SECONDS",
                message: format!("`{v}` is not a number of seconds"),
            })?;
        }
        if let Some(v) = get("KEEL_MCP_REMOTE_ALLOW_PRIVATE") {
            config.mcp_remote_allow_private = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = get("KEEL_MCP_REMOTE_MAX_BYTES") {
            config.mcp_remote_max_bytes = v.parse().map_err(|_| ConfigError::Env {
                name: "KEEL_MCP_REMOTE_MAX_BYTES",
                message: format!("`{v}` is not a number of bytes"),
            })?;
        }
        if let Some(v) = get("KEEL_TRUST_PROXY") {
            config.trust_proxy = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = get("KEEL_SMTP_URL") {
            if !(v.starts_with("smtp://") || v.starts_with("smtps://")) {
                return Err(ConfigError::Env {
                    name: "KEEL_SMTP_URL",
                    message: "expected smtp://host:port or smtps://user:password@host".into(),
                });
            }
            config.smtp_url = Some(v);
        }
        if let Some(v) = get("KEEL_SMTP_FROM") {
            config.smtp_from = v;
        }
        if let Some(v) = get("KEEL_DEV") {
            config.dev = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if config.admin_token.as_ref().is_some_and(|t| t.len() < 32) {
            return Err(ConfigError::WeakAdminToken);
        }
        Ok(config)
    }

    /// The database URL in force: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("keel.db").display()
            )
        })
    }

    /// The URL the server connects with: on Postgres, every statement is bounded by
    /// `db_timeout_ms` unless the URL sets its own `statement_timeout`.
    pub fn database_url_with_timeouts(&self) -> String {
        let url = self.database_url();
        if url.starts_with("postgres") && !url.contains("statement_timeout") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!(
                "{url}{sep}options[statement_timeout]={}",
                self.db_timeout_ms
            )
        } else {
            url
        }
    }

    pub fn is_embedded(&self) -> bool {
        !self.database_url().starts_with("postgres")
    }
}

/// Flags as a shell splits them: by spaces, except inside single or double quotes
/// (`--host-resolver-rules="MAP * ~NOTFOUND"` is one flag).
pub fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_flags_split_like_a_shell_keeping_quoted_spaces() {
        assert_eq!(
            split_args(
                r#"--proxy-server=http://egress:3128  --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" --lang='cs CZ' """#
            ),
            [
                "--proxy-server=http://egress:3128",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--lang=cs CZ",
                "",
            ]
        );
        assert!(split_args("   ").is_empty());
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("keel.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\nkafka_topic = \"from-file\"\n",
        )
        .expect("write");
        let c = Config::load_from(Some(&file), &env(&[("KEEL_KAFKA_TOPIC", "from-env")]))
            .expect("loads");
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.kafka.topic, "from-env");
        assert_eq!(c.data_dir, PathBuf::from("./keel-data"));
        assert!(c.is_embedded());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let token = "keel_admin_0123456789abcdefghijklmnopqrstuv";
        let c = Config::load_from(
            None,
            &env(&[
                ("KEEL_ADMIN_TOKEN", token),
                ("KEEL_DATABASE_URL", "postgres://keel:s3cret@db:5432/keel"),
            ]),
        )
        .expect("loads");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains(token) && !shown.contains("s3cret"),
            "{shown}"
        );
        assert!(shown.contains("db:5432"));
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(matches!(
            Config::load_from(None, &env(&[("KEEL_ADMIN_TOKEN", "short")])),
            Err(ConfigError::WeakAdminToken)
        ));
        assert!(Config::load_from(None, &env(&[("KEEL_LOG_FORMAT", "xml")])).is_err());
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("keel.toml");
        std::fs::write(&file, "no_such_key = 1\n").expect("write");
        assert!(matches!(
            Config::load_from(Some(&file), &[]),
            Err(ConfigError::UnknownKey { key, .. }) if key == "no_such_key"
        ));
        std::fs::write(&file, "scan_concurrency = \"many\"\n").expect("write");
        assert!(matches!(
            Config::load_from(Some(&file), &[]),
            Err(ConfigError::Toml { .. })
        ));
    }

    #[test]
    fn every_section_keeps_its_flat_file_keys_and_variables() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("keel.toml");
        std::fs::write(
            &file,
            "database_url = \"postgres://db/keel\"\nkafka_brokers = \"k:9092\"\nkafka_partitions = 3\n\
             scanner = false\nscan_concurrency = 4\nrdap_servers = \"default=https://r.example/\"\n\
             webhooks = false\nwebhooks_allow_private = true\nwebhook_retention_days = 7\n",
        )
        .expect("write");
        let c = Config::load_from(
            Some(&file),
            &env(&[
                ("KEEL_KAFKA_GROUP_INSTANCE_ID", "pod-1"),
                ("KEEL_SCAN_INTERVAL_SECONDS", "60"),
                ("KEEL_WEBHOOK_CONCURRENCY", "8"),
            ]),
        )
        .expect("loads");
        assert_eq!(c.kafka.brokers.as_deref(), Some("k:9092"));
        assert_eq!(c.kafka.partitions, 3);
        assert_eq!(c.kafka.group_instance_id.as_deref(), Some("pod-1"));
        assert!(!c.scanner.enabled);
        assert_eq!((c.scanner.concurrency, c.scanner.interval_secs), (4, 60));
        assert!(!c.webhooks.enabled && c.webhooks.allow_private);
        assert_eq!((c.webhooks.retention_days, c.webhooks.concurrency), (7, 8));
        assert!(!c.is_embedded());
        for key in [
            "listen",
            "kafka_topic",
            "scan_interval_secs",
            "webhook_retry_schedule",
            "geoip_path",
            "geoip_city_path",
            "geoip_asn_path",
        ] {
            assert!(Config::file_keys().iter().any(|k| k == key), "{key}");
        }
    }
}
