//! Configuration: defaults, then `keel.toml`, then `KEEL_*` environment variables.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub kafka_brokers: Option<String>,
    pub kafka_topic: String,
    pub kafka_partitions: i32,
    /// Static consumer-group membership (KIP-345): a restarted projector with the same id takes
    /// its partitions back without a rebalance. Use a stable name per replica (a pod name).
    pub kafka_group_instance_id: Option<String>,
    /// Never printed: `Debug` shows only whether it is set.
    pub admin_token: Option<String>,
    pub redis_url: Option<String>,
    pub dns_servers: Option<String>,
    /// Whether this process scans domains (the worker role; `serve` runs it too).
    pub scanner: bool,
    /// Seconds between two scans of a domain.
    pub scan_interval_secs: u64,
    /// Domains scanned at once.
    pub scan_concurrency: usize,
    /// Timeout of one DNS query.
    pub dns_timeout_ms: u64,
    /// RDAP servers: `default=URL,tld=URL,…` (default: https://rdap.org/).
    pub rdap_servers: Option<String>,
    /// Seconds between two RDAP lookups of a domain.
    pub whois_interval_secs: u64,
    pub webhooks_allow_private: bool,
    /// Whether this process delivers webhooks (the worker role; `serve` runs it too).
    pub webhooks: bool,
    /// Timeout of one delivery attempt.
    pub webhook_timeout_ms: u64,
    /// Waits between attempts, `5s,5m,30m,2h,5h,10h,10h` (units ms, s, m, h).
    pub webhook_retry_schedule: String,
    /// Consecutive failed attempts after which an endpoint is disabled...
    pub webhook_disable_after: i64,
    /// ...once it has been failing for at least this many seconds.
    pub webhook_disable_after_secs: u64,
    /// Deliveries in flight at once per process.
    pub webhook_concurrency: usize,
    /// Days a finished delivery (delivered, or failed for good) stays listed; then it is
    /// deleted. Counters are kept.
    pub webhook_retention_days: u64,
    pub log_format: Option<String>,
    pub max_body_bytes: usize,
    /// Longest a single database statement may run (Postgres `statement_timeout`) and longest a
    /// request waits for a pooled connection; past it the API answers 503.
    pub db_timeout_ms: u64,
    /// An IP-to-country CSV (`first_ip,last_ip,country_code` per line, as in DB-IP's free
    /// "IP to Country Lite"); without one, analytics record no country.
    pub geoip_path: Option<PathBuf>,
    /// What time it is for the API's rules (tests set a manual clock; never from a file).
    #[serde(skip)]
    pub clock: crate::clock::Clock,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./keel-data"),
            database_url: None,
            kafka_brokers: None,
            kafka_topic: "keel.events".into(),
            kafka_partitions: 6,
            kafka_group_instance_id: None,
            admin_token: None,
            redis_url: None,
            dns_servers: None,
            scanner: true,
            scan_interval_secs: 24 * 3600,
            scan_concurrency: 32,
            dns_timeout_ms: 2_000,
            rdap_servers: None,
            whois_interval_secs: 7 * 24 * 3600,
            webhooks_allow_private: false,
            webhooks: true,
            webhook_timeout_ms: 10_000,
            webhook_retry_schedule: crate::webhooks::DEFAULT_SCHEDULE.into(),
            webhook_disable_after: 20,
            webhook_disable_after_secs: 24 * 3600,
            webhook_concurrency: 32,
            webhook_retention_days: 30,
            log_format: None,
            max_body_bytes: 1024 * 1024,
            db_timeout_ms: 5_000,
            geoip_path: None,
            clock: crate::clock::Clock::system(),
        }
    }
}

impl Config {
    /// The webhook dispatcher's settings.
    pub fn webhook_settings(&self) -> crate::webhooks::WebhookSettings {
        crate::webhooks::WebhookSettings {
            allow_private: self.webhooks_allow_private,
            timeout: std::time::Duration::from_millis(self.webhook_timeout_ms.max(1)),
            schedule: crate::webhooks::parse_schedule(&self.webhook_retry_schedule)
                .unwrap_or_default(),
            disable_after: self.webhook_disable_after.max(1),
            disable_after_period: std::time::Duration::from_secs(self.webhook_disable_after_secs),
            concurrency: self.webhook_concurrency.max(1),
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
            .field("kafka_brokers", &self.kafka_brokers)
            .field("kafka_topic", &self.kafka_topic)
            .field("kafka_partitions", &self.kafka_partitions)
            .field("kafka_group_instance_id", &self.kafka_group_instance_id)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "***"))
            .field("redis_url", &self.redis_url.as_ref().map(|_| "***"))
            .field("dns_servers", &self.dns_servers)
            .field("scanner", &self.scanner)
            .field("scan_interval_secs", &self.scan_interval_secs)
            .field("scan_concurrency", &self.scan_concurrency)
            .field("dns_timeout_ms", &self.dns_timeout_ms)
            .field("rdap_servers", &self.rdap_servers)
            .field("whois_interval_secs", &self.whois_interval_secs)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("webhooks", &self.webhooks)
            .field("webhook_timeout_ms", &self.webhook_timeout_ms)
            .field("webhook_retry_schedule", &self.webhook_retry_schedule)
            .field("webhook_disable_after", &self.webhook_disable_after)
            .field(
                "webhook_disable_after_secs",
                &self.webhook_disable_after_secs,
            )
            .field("webhook_concurrency", &self.webhook_concurrency)
            .field("webhook_retention_days", &self.webhook_retention_days)
            .field("log_format", &self.log_format)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("db_timeout_ms", &self.db_timeout_ms)
            .field("geoip_path", &self.geoip_path)
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
                toml::from_str(&text).map_err(|source| ConfigError::Toml {
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
            config.kafka_brokers = Some(v);
        }
        if let Some(v) = get("KEEL_KAFKA_TOPIC") {
            config.kafka_topic = v;
        }
        if let Some(v) = get("KEEL_KAFKA_PARTITIONS") {
            config.kafka_partitions = v.parse().map_err(|_| ConfigError::Env {
                name: "KEEL_KAFKA_PARTITIONS",
                message: v.clone(),
            })?;
        }
        if let Some(v) = get("KEEL_KAFKA_GROUP_INSTANCE_ID") {
            config.kafka_group_instance_id = Some(v);
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
            ("KEEL_SCAN_INTERVAL_SECONDS", &mut config.scan_interval_secs),
            ("KEEL_DNS_TIMEOUT_MS", &mut config.dns_timeout_ms),
            (
                "KEEL_WHOIS_INTERVAL_SECONDS",
                &mut config.whois_interval_secs,
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
            config.scan_concurrency = v
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
            config.rdap_servers = Some(v);
        }
        if let Some(v) = get("KEEL_SCANNER") {
            config.scanner = !matches!(v.as_str(), "0" | "false" | "no" | "off");
        }
        if let Some(v) = get("KEEL_WEBHOOKS_ALLOW_PRIVATE") {
            config.webhooks_allow_private = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = get("KEEL_WEBHOOKS") {
            config.webhooks = !matches!(v.as_str(), "0" | "false" | "no" | "off");
        }
        if let Some(v) = get("KEEL_WEBHOOK_RETRY_SCHEDULE") {
            crate::webhooks::parse_schedule(&v).map_err(|message| ConfigError::Env {
                name: "KEEL_WEBHOOK_RETRY_SCHEDULE",
                message,
            })?;
            config.webhook_retry_schedule = v;
        }
        for (name, slot) in [
            ("KEEL_WEBHOOK_TIMEOUT_MS", &mut config.webhook_timeout_ms),
            (
                "KEEL_WEBHOOK_DISABLE_AFTER_SECONDS",
                &mut config.webhook_disable_after_secs,
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
            config.webhook_disable_after =
                v.parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError::Env {
                        name: "KEEL_WEBHOOK_DISABLE_AFTER",
                        message: format!("`{v}`: expected a positive number"),
                    })?;
        }
        if let Some(v) = get("KEEL_WEBHOOK_RETENTION_DAYS") {
            config.webhook_retention_days = v
                .parse()
                .ok()
                .filter(|n| (1..=3650).contains(n))
                .ok_or_else(|| ConfigError::Env {
                    name: "KEEL_WEBHOOK_RETENTION_DAYS",
                    message: format!("`{v}`: expected 1 to 3650"),
                })?;
        }
        if let Some(v) = get("KEEL_WEBHOOK_CONCURRENCY") {
            config.webhook_concurrency = v
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(c.kafka_topic, "from-env");
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
            Err(ConfigError::Toml { .. })
        ));
    }
}
