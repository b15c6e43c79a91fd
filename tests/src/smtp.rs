//! A real SMTP server for tests: Python's `aiosmtpd` (installed by `scripts/test`), which writes
//! every message it accepts as JSON (`to`, `from`, `subject`, decoded `body`) into a directory.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const SINK: &str = r#"
import email, email.policy, json, os, sys
from aiosmtpd.controller import Controller

out = sys.argv[2]

class Sink:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "body": body.get_content() if body is not None else "",
        }
        n = len([f for f in os.listdir(out) if f.endswith(".json")])
        path = os.path.join(out, "%04d.json" % n)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"#;

pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    _child: Child,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        // Debian's interpreter, where `python3-aiosmtpd` is installed (a pyenv `python3` earlier
        // on the PATH would not see it).
        let python = if std::path::Path::new("/usr/bin/python3").exists() {
            "/usr/bin/python3"
        } else {
            "python3"
        };
        let mut child = Command::new(python)
            .arg("-c")
            .arg(SINK)
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 with aiosmtpd (scripts/test installs python3-aiosmtpd)");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the SMTP sink starts within 20 s")
            .expect("its output");
        assert_eq!(ready.as_deref(), Some("ready"), "aiosmtpd failed to start");
        SmtpSink {
            port,
            dir,
            _child: child,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Value> {
        self.files()
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect()
    }

    /// Waits (up to 20 s) for a message to `to` and returns the newest one.
    pub async fn message_to(&self, to: &str) -> Value {
        self.message_to_containing(to, "").await
    }

    /// Waits (up to 20 s) for a message to `to` whose body contains `needle`; the newest one.
    pub async fn message_to_containing(&self, to: &str, needle: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(m) = self.messages().into_iter().rev().find(|m| {
                m["to"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x == to))
                    && m["body"].as_str().is_some_and(|b| b.contains(needle))
            }) {
                return m;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no message to {to} arrived; received: {:?}",
                self.messages()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
