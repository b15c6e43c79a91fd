//! A small client of the Chrome DevTools Protocol: launches a headless Chromium with a fresh
//! profile, talks to it over its WebSocket, and answers the requests it pauses (the SSRF guard)
//! while the caller waits on other commands. Only the dozen methods the rendered pass needs;
//! ADR 0022 says why this is not a generated binding of the whole protocol.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// Decides whether the browser may make a request: `Err(reason)` refuses it.
pub type Guard =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// A protocol event: its method, params and the session it belongs to.
#[derive(Debug, Clone)]
pub struct Event {
    pub method: String,
    pub params: Value,
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

/// A running browser and the connection to it. Dropping it kills the browser and removes its
/// profile.
pub struct Browser {
    _child: tokio::process::Child,
    _profile: tempfile::TempDir,
    out: mpsc::UnboundedSender<Message>,
    pending: Pending,
    next_id: AtomicU64,
    /// Requests the guard refused, with why.
    pub refused: Arc<Mutex<Vec<(String, String)>>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// The flags every scan's browser runs with (headless, no first-run chatter, nothing shared
/// with earlier scans); `extra` comes from `KEEL_CHROMIUM_ARGS`.
fn args(profile: &std::path::Path, extra: &[String]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-sync",
        "--disable-component-update",
        "--disable-default-apps",
        "--metrics-recording-only",
        "--mute-audio",
        "--hide-scrollbars",
        "--window-size=1366,900",
        "--remote-debugging-port=0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.push(format!("--user-data-dir={}", profile.display()));
    a.extend(extra.iter().cloned());
    a.push("about:blank".into());
    a
}

impl Browser {
    /// Starts `path` and connects to it; `guard`, when given, is asked about every request
    /// once `Fetch.enable` is sent for a session.
    pub async fn launch(
        path: &str,
        extra_args: &[String],
        guard: Option<Guard>,
        events: mpsc::UnboundedSender<(Option<String>, Event)>,
    ) -> Result<Browser, String> {
        let profile = tempfile::Builder::new()
            .prefix("keel-scan-")
            .tempdir()
            .map_err(|e| format!("cannot create a browser profile: {e}"))?;
        let mut child = tokio::process::Command::new(path)
            .args(args(profile.path(), extra_args))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {path}: {e}"))?;
        let stderr = child.stderr.take().ok_or("no stderr from the browser")?;
        let mut lines = BufReader::new(stderr).lines();
        let ws_url = tokio::time::timeout(Duration::from_secs(20), async {
            let mut seen = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(u) = line.split("DevTools listening on ").nth(1) {
                    return Ok(u.trim().to_string());
                }
                if seen.len() < 5 {
                    seen.push(line);
                }
            }
            Err(format!("the browser exited: {}", seen.join(" | ")))
        })
        .await
        .map_err(|_| "the browser did not start within 20 s".to_string())??;
        // Keep draining its stderr so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (ws, _) = tokio_tungstenite::connect_async(ws_url.as_str())
            .await
            .map_err(|e| format!("cannot connect to the browser: {e}"))?;
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                if sink.send(m).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::new(Mutex::new(HashMap::new()));
        let refused = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let pending = pending.clone();
            let out = out.clone();
            let refused = refused.clone();
            tokio::spawn(async move {
                while let Some(Ok(msg)) = stream.next().await {
                    let Message::Text(text) = msg else { continue };
                    let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                        continue;
                    };
                    if let Some(id) = v.get("id").and_then(Value::as_u64) {
                        let answer = match v.get("error") {
                            Some(e) => Err(e
                                .get("message")
                                .and_then(Value::as_str)
                                .unwrap_or("protocol error")
                                .to_string()),
                            None => Ok(v.get("result").cloned().unwrap_or(Value::Null)),
                        };
                        if let Some(tx) = pending.lock().ok().and_then(|mut p| p.remove(&id)) {
                            tx.send(answer).ok();
                        }
                        continue;
                    }
                    let session = v
                        .get("sessionId")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    let method = v
                        .get("method")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let params = v.get("params").cloned().unwrap_or(Value::Null);
                    if method == "Fetch.requestPaused" {
                        answer_paused(guard.clone(), &out, &refused, session.clone(), &params);
                        continue;
                    }
                    events.send((session, Event { method, params })).ok();
                }
                // The browser went away: nothing will answer what is pending.
                if let Ok(mut p) = pending.lock() {
                    for (_, tx) in p.drain() {
                        tx.send(Err("the browser closed the connection".into()))
                            .ok();
                    }
                }
            })
        };
        Ok(Browser {
            _child: child,
            _profile: profile,
            out,
            pending,
            next_id: AtomicU64::new(1),
            refused,
            reader,
        })
    }

    /// Sends `method` (to `session`, or to the browser) and waits up to `within` for its result.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        within: Duration,
    ) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let (tx, rx) = oneshot::channel();
        self.pending.lock().map_err(|_| "poisoned")?.insert(id, tx);
        self.out
            .send(Message::Text(msg.to_string().into()))
            .map_err(|_| "the browser connection is closed".to_string())?;
        match tokio::time::timeout(within, rx).await {
            Ok(Ok(r)) => r.map_err(|e| format!("{method}: {e}")),
            Ok(Err(_)) => Err(format!("{method}: no answer")),
            Err(_) => {
                self.pending.lock().map(|mut p| p.remove(&id)).ok();
                Err(format!(
                    "{method}: no answer within {} ms",
                    within.as_millis()
                ))
            }
        }
    }
}

/// Continues a paused request the guard allows, fails one it refuses (the page sees a blocked
/// request, as with an ad blocker).
fn answer_paused(
    guard: Option<Guard>,
    out: &mpsc::UnboundedSender<Message>,
    refused: &Arc<Mutex<Vec<(String, String)>>>,
    session: Option<String>,
    params: &Value,
) {
    let request_id = params["requestId"].as_str().unwrap_or_default().to_string();
    let url = params["request"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let out = out.clone();
    let refused = refused.clone();
    tokio::spawn(async move {
        let verdict = match guard {
            Some(g) => g(url.clone()).await,
            None => Ok(()),
        };
        let (method, params) = match verdict {
            Ok(()) => ("Fetch.continueRequest", json!({"requestId": request_id})),
            Err(reason) => {
                refused.lock().map(|mut r| r.push((url, reason))).ok();
                (
                    "Fetch.failRequest",
                    json!({"requestId": request_id, "errorReason": "BlockedByClient"}),
                )
            }
        };
        // Ids far above the caller's so answers never collide; nobody waits for them.
        static NEXT: AtomicU64 = AtomicU64::new(1 << 40);
        let mut msg =
            json!({"id": NEXT.fetch_add(1, Ordering::Relaxed), "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        out.send(Message::Text(msg.to_string().into())).ok();
    });
}
