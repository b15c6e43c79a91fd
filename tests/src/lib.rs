//! Test support: start Keel on port 0 with a fresh database (and a fresh Kafka topic), and talk
//! to it over HTTP like any client.

pub mod browser;
pub mod mcp;
pub mod smtp;
pub mod stripe;

use keel_api::{Application, Role, RunningApp};
use keel_infra::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    /// SQLite and the in-process feed: what `keel serve` runs with no configuration.
    Embedded,
    /// Postgres, the relay and Kafka consumer-group projectors.
    Distributed,
}

pub struct TestApp {
    pub base: String,
    /// The configuration it runs with (to start more processes on the same database).
    pub config: Config,
    pub admin: String,
    pub client: reqwest::Client,
    pub running: Option<RunningApp>,
    _dir: Option<tempfile::TempDir>,
}

/// The broker the test scripts started.
pub fn kafka_brokers() -> String {
    std::env::var("KEEL_TEST_KAFKA_BROKERS").unwrap_or_else(|_| "127.0.0.1:19092".into())
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// The Redis the test scripts started (a private instance), if any.
pub fn redis_url() -> Option<String> {
    std::env::var("KEEL_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Like [`spawn_app`], with the configuration adjusted first.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_as(backend, Role::All, adjust).await
}

/// Like [`spawn_app_with`], running only `role` (`Role::Api` serves HTTP and leaves relaying and
/// projecting to other processes, which a test starts with `Application::build(app.config.clone(), …)`).
pub async fn spawn_app_as(
    backend: Backend,
    role: Role,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let admin = format!("keel_admin_test_{}", uuid::Uuid::new_v4().simple());
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(admin.clone()),
        ..Config::default()
    };
    config.kafka.partitions = 3;
    // Tests that scan start their own DNS server and turn it on; likewise webhook delivery.
    config.scanner.enabled = false;
    config.webhooks.enabled = false;
    let dir = match backend {
        Backend::Embedded => {
            let dir = tempfile::tempdir().expect("temp dir");
            config.data_dir = dir.path().to_path_buf();
            Some(dir)
        }
        Backend::Distributed => {
            config.database_url = Some(keel_testkit::fresh_postgres_url().await);
            config.kafka.brokers = Some(kafka_brokers());
            config.kafka.topic = format!("keel.test.{}", uuid::Uuid::new_v4().simple());
            None
        }
    };
    adjust(&mut config);
    let app = Application::build(config.clone(), role)
        .await
        .expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    TestApp {
        base,
        config,
        admin,
        client: reqwest::Client::new(),
        running: Some(app.spawn()),
        _dir: dir,
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    /// The write's position, for read-your-writes.
    pub fn position(&self) -> i64 {
        self.header("X-Keel-Position")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }
}

/// A call: token, optional workspace header, optional body.
pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    token: Option<String>,
    workspace: Option<String>,
    body: Option<String>,
    headers: Vec<(String, String)>,
}

impl<'a> Call<'a> {
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.into());
        self
    }
    pub fn no_token(mut self) -> Self {
        self.token = None;
        self
    }
    pub fn workspace(mut self, id: &str) -> Self {
        self.workspace = Some(id.into());
        self
    }
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body.to_string());
        self
    }
    pub fn raw(mut self, body: &str) -> Self {
        self.body = Some(body.into());
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub async fn send(self) -> Resp {
        let mut req = self.app.client.request(
            self.method,
            // A link Keel wrote is a full URL already.
            if self.path.starts_with("http://") || self.path.starts_with("https://") {
                self.path.clone()
            } else {
                format!("{}{}", self.app.base, self.path)
            },
        );
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(w) = &self.workspace {
            req = req.header("X-Workspace-ID", w);
        }
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        if let Some(b) = self.body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let r = req.send().await.expect("request reaches the app");
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            body,
        }
    }
}

impl TestApp {
    /// A call authenticated with the operator token (change it with `.token()` / `.no_token()`).
    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            app: self,
            method,
            path: path.into(),
            token: Some(self.admin.clone()),
            workspace: None,
            body: None,
            headers: vec![],
        }
    }
    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }
    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }
    pub fn patch(&self, path: &str) -> Call<'_> {
        self.call(Method::PATCH, path)
    }
    pub fn delete(&self, path: &str) -> Call<'_> {
        self.call(Method::DELETE, path)
    }

    /// Creates a workspace as the operator; returns its id.
    pub async fn create_workspace(&self, name: &str, tier: &str) -> String {
        let r = self
            .post("/api/v1/workspaces")
            .json(json!({ "name": name, "tier": tier }))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        r.body["data"]["id"].as_str().expect("id").to_string()
    }

    /// Creates a key in `workspace` as the operator; returns (id, secret, position).
    pub async fn create_key(
        &self,
        workspace: &str,
        name: &str,
        scopes: &[&str],
    ) -> (String, String, i64) {
        let r = self
            .post("/api/v1/keys")
            .workspace(workspace)
            .json(json!({ "name": name, "scopes": scopes }))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        let d = &r.body["data"];
        (
            d["id"].as_str().expect("id").into(),
            d["key"].as_str().expect("key").into(),
            r.position(),
        )
    }

    /// The app's database (for tests that arrange state a client cannot, or check what is stored).
    pub fn db(&self) -> keel_infra::Db {
        self.running
            .as_ref()
            .expect("app is running")
            .store
            .db()
            .clone()
    }

    /// The app's event store (for tests that record what a background worker would).
    pub fn store(&self) -> keel_infra::store::SqlStore {
        self.running.as_ref().expect("app is running").store.clone()
    }

    /// Creates a key in `workspace` as the operator with any body; returns (id, secret).
    pub async fn create_key_with(&self, workspace: &str, body: Value) -> (String, String) {
        let r = self
            .post("/api/v1/keys")
            .workspace(workspace)
            .json(body)
            .send()
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        let d = &r.body["data"];
        (
            d["id"].as_str().expect("id").into(),
            d["key"].as_str().expect("key").into(),
        )
    }

    /// Polls `path` (with the operator token and workspace) until `pred` holds, for up to 20 s.
    pub async fn eventually(
        &self,
        path: &str,
        workspace: Option<&str>,
        pred: impl Fn(&Resp) -> bool,
    ) -> Resp {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let mut c = self.get(path);
            if let Some(w) = workspace {
                c = c.workspace(w);
            }
            let r = c.send().await;
            if pred(&r) || tokio::time::Instant::now() > deadline {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }
}

/// Runs each named `async fn(Backend)` of the calling test file as two tests, `embedded::NAME`
/// (SQLite, the in-process feed) and `distributed::NAME` (Postgres, relay and Kafka projectors).
/// `multi_thread;` first runs them on a multi-threaded runtime, as the `keel` binary does.
#[macro_export]
macro_rules! on_every_backend {
    (multi_thread; $($case:ident),* $(,)?) => {
        mod embedded { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case($crate::Backend::Embedded).await }
        )* }
        mod distributed { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case($crate::Backend::Distributed).await }
        )* }
    };
    ($($case:ident),* $(,)?) => {
        mod embedded { $( #[tokio::test] async fn $case() { super::$case($crate::Backend::Embedded).await } )* }
        mod distributed { $( #[tokio::test] async fn $case() { super::$case($crate::Backend::Distributed).await } )* }
    };
}
