//! The official MCP Python SDK, for tests that need a real MCP client or server.

use std::process::{Command, Stdio};

/// The SDK's Python (scripts/services.sh `ensure_mcp_sdk` exports it).
pub fn python() -> String {
    std::env::var("KEEL_MCP_PYTHON").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/keel/mcp-venv/bin/python")
    })
}

/// A remote MCP server built with the SDK (tests/mcp/remote_server.py), stopped on drop.
pub struct RemoteServer {
    child: std::process::Child,
    /// Its Streamable HTTP endpoint (`http://127.0.0.1:<port>/mcp`).
    pub url: String,
}

impl RemoteServer {
    /// Starts one (`--token T`, `--legacy`, `--name N`) and waits until it listens.
    pub fn start(args: &[&str]) -> RemoteServer {
        use std::io::BufRead;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/mcp/remote_server.py");
        let mut child = Command::new(python())
            .arg(script)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("the MCP SDK's Python is needed ({e})"));
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the remote server starts");
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the remote server printed `{line}`"));
        RemoteServer {
            child,
            url: format!("http://127.0.0.1:{port}/mcp"),
        }
    }
}

impl Drop for RemoteServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
