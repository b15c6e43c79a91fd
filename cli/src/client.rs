//! Talking to a Keel server: the profile's URL and token, retries of rate-limited calls after
//! their `Retry-After`, idempotency keys on writes, and errors that map to exit codes.

use serde_json::Value;
use std::io::IsTerminal;
use std::time::Duration;

/// Why a command failed, and the exit code that says so.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

/// Exit codes (documented in `keel --help` and docs/cli.md).
pub mod exit {
    /// Anything else: the server unreachable, a file unreadable, an answer not understood.
    pub const FAILURE: i32 = 1;
    /// A command line clap refused (clap's own code).
    pub const USAGE: i32 = 2;
    /// No credentials, bad credentials, or not allowed (401, 403).
    pub const AUTH: i32 = 3;
    /// No such thing (404).
    pub const NOT_FOUND: i32 = 4;
    /// Still rate limited after honouring `Retry-After` a few times (429).
    pub const RATE_LIMITED: i32 = 5;
    /// The server failed (5xx).
    pub const SERVER: i32 = 6;
    /// The server refused the request as asked (400, 409, 413, 422).
    pub const INVALID: i32 = 7;
}

impl CliError {
    pub fn new(code: i32, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(exit::USAGE, message)
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::new(exit::FAILURE, e.to_string())
    }
}

/// The exit code of an HTTP status.
pub fn code_of(status: u16) -> i32 {
    match status {
        401 | 403 => exit::AUTH,
        404 => exit::NOT_FOUND,
        429 => exit::RATE_LIMITED,
        500..=599 => exit::SERVER,
        400..=499 => exit::INVALID,
        _ => exit::FAILURE,
    }
}

/// A server's error body as one line: `code: message (field: why; …)`.
fn describe(status: u16, body: &Value) -> String {
    let e = &body["error"];
    let mut out = match (e["code"].as_str(), e["message"].as_str()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        _ => format!("HTTP {status}: {body}"),
    };
    let fields: Vec<String> = e["details"]["fields"]
        .as_array()
        .map(|xs| {
            xs.iter()
                .filter_map(|x| {
                    Some(format!(
                        "{}: {}",
                        x["field"].as_str()?,
                        x["message"].as_str().unwrap_or("")
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    if !fields.is_empty() {
        out.push_str(&format!(" ({})", fields.join("; ")));
    }
    out
}

/// A Keel server, as a profile names it.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    workspace: Option<String>,
    /// How many times a 429 is waited out before giving up.
    pub retries: u32,
}

impl Client {
    pub fn new(base: &str, token: Option<String>, workspace: Option<String>) -> Client {
        Client {
            http: reqwest::Client::builder()
                .user_agent(concat!("keel-cli/", env!("CARGO_PKG_VERSION")))
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap_or_default(),
            base: base.trim_end_matches('/').to_string(),
            token,
            workspace,
            retries: 3,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET path` reading this user's own writes: with `min_position` of the last write they
    /// made to the server, if any, so the read waits (briefly) until its read model has it. For
    /// the lists and stats that take the parameter. A position the server does not have (it was
    /// reset, or is another server on the same address) is forgotten and the read made without.
    pub async fn get_fresh(&self, path: &str) -> Result<Value, CliError> {
        let Some(p) = crate::profiles::positions::get(&self.base) else {
            return self.get(path).await;
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        match self.get(&format!("{path}{sep}min_position={p}")).await {
            Err(e) if e.code == exit::INVALID && e.message.contains("no event at position") => {
                crate::profiles::positions::forget(&self.base);
                self.get(path).await
            }
            other => other,
        }
    }

    /// `GET path` (with its query string).
    pub async fn get(&self, path: &str) -> Result<Value, CliError> {
        self.call(reqwest::Method::GET, path, None, None).await
    }

    /// A write with its idempotency key: a retried command never acts twice.
    pub async fn write(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: &str,
    ) -> Result<Value, CliError> {
        self.call(method, path, body, Some(idempotency_key)).await
    }

    /// One call; a 429 is retried after its `Retry-After` (at most 60 s each, `retries` times).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Value, CliError> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        loop {
            let mut req = self.http.request(method.clone(), &url);
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
            if let Some(w) = &self.workspace {
                req = req.header("X-Workspace-ID", w);
            }
            if let Some(k) = idempotency_key {
                req = req.header("Idempotency-Key", k);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await.map_err(|e| {
                CliError::new(exit::FAILURE, format!("cannot reach {}: {e}", self.base))
            })?;
            let status = resp.status().as_u16();
            if (200..300).contains(&status) {
                if let Some(p) = resp
                    .headers()
                    .get("X-Keel-Position")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<i64>().ok())
                {
                    crate::profiles::positions::remember(&self.base, p);
                }
            }
            let retry_after = resp
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = resp.text().await.map_err(|e| {
                CliError::new(exit::FAILURE, format!("the answer could not be read: {e}"))
            })?;
            let value: Value = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            };
            if (200..300).contains(&status) {
                return Ok(value);
            }
            if status == 429 && attempt < self.retries {
                attempt += 1;
                let wait = retry_after.unwrap_or(1).clamp(1, 60);
                eprintln!(
                    "rate limited; retrying in {wait} s ({attempt}/{})",
                    self.retries
                );
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            return Err(CliError::new(code_of(status), describe(status, &value)));
        }
    }
}

impl Client {
    /// Streams a file (`GET path`) into `to`, with a progress bar on a terminal; the bytes
    /// written.
    pub async fn download(&self, path: &str, to: &mut dyn std::io::Write) -> Result<u64, CliError> {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(w) = &self.workspace {
            req = req.header("X-Workspace-ID", w);
        }
        let mut resp = req.send().await.map_err(|e| {
            CliError::new(exit::FAILURE, format!("cannot reach {}: {e}", self.base))
        })?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let text = resp.text().await.unwrap_or_default();
            let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
            return Err(CliError::new(code_of(status), describe(status, &body)));
        }
        let bar = if std::io::stderr().is_terminal() {
            let b = indicatif::ProgressBar::new(resp.content_length().unwrap_or(0));
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        let mut written = 0u64;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| CliError::new(exit::FAILURE, format!("the download broke off: {e}")))?
        {
            to.write_all(&chunk)?;
            written += chunk.len() as u64;
            bar.set_position(written);
        }
        to.flush()?;
        bar.finish_and_clear();
        Ok(written)
    }

    /// Signs a person in, makes an account token called `name`, and signs the session out: the
    /// token (`keel_acct_…`).
    pub async fn account_token(
        &self,
        email: &str,
        password: &str,
        otp: Option<&str>,
        name: &str,
    ) -> Result<String, CliError> {
        let fail = |e: reqwest::Error| {
            CliError::new(exit::FAILURE, format!("cannot reach {}: {e}", self.base))
        };
        let mut body = serde_json::json!({"email": email, "password": password});
        if let Some(o) = otp {
            body["otp"] = Value::String(o.to_string());
        }
        let resp = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&body)
            .send()
            .await
            .map_err(fail)?;
        let status = resp.status().as_u16();
        let cookie = resp
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("keel_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        let answer: Value = resp.json().await.unwrap_or(Value::Null);
        if !(200..300).contains(&status) {
            let mut e = CliError::new(code_of(status), describe(status, &answer));
            if answer["error"]["code"] == "second_factor_required" {
                e.message.push_str(" (give the current code with --otp)");
            }
            return Err(e);
        }
        let (Some(cookie), Some(csrf)) = (cookie, answer["data"]["csrf_token"].as_str()) else {
            return Err(CliError::new(
                exit::FAILURE,
                "the server signed in without a session cookie",
            ));
        };
        let made = self
            .http
            .post(format!("{}/api/v1/account-tokens", self.base))
            .header(reqwest::header::COOKIE, &cookie)
            .header("X-CSRF-Token", csrf)
            .json(&serde_json::json!({"name": name}))
            .send()
            .await
            .map_err(fail)?;
        let made_status = made.status().as_u16();
        let made: Value = made.json().await.unwrap_or(Value::Null);
        // The session was only the way to the token: end it either way.
        let _ = self
            .http
            .post(format!("{}/api/v1/auth/logout", self.base))
            .header(reqwest::header::COOKIE, &cookie)
            .header("X-CSRF-Token", csrf)
            .send()
            .await;
        if !(200..300).contains(&made_status) {
            return Err(CliError::new(
                code_of(made_status),
                describe(made_status, &made),
            ));
        }
        made["data"]["token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| CliError::new(exit::FAILURE, "the server made no account token"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_exit_codes() {
        let codes: Vec<i32> = [401, 403, 404, 429, 500, 503, 400, 409, 422, 302]
            .into_iter()
            .map(code_of)
            .collect();
        assert_eq!(codes, [3, 3, 4, 5, 6, 6, 7, 7, 7, 1]);
    }

    #[test]
    fn error_bodies_read_as_one_line() {
        let body = serde_json::json!({"error": {"code": "validation_failed", "message": "invalid input",
            "details": {"fields": [{"field": "name", "message": "is required"}]}}});
        assert_eq!(
            describe(422, &body),
            "validation_failed: invalid input (name: is required)"
        );
        assert_eq!(describe(502, &Value::Null), "HTTP 502: null");
    }
}
