//! A real browser for the tests of web pages: Debian's `chromium`, headless (scripts/test
//! installs it).

use std::time::Duration;

/// The page at `url` as the browser renders it, its scripts run: the serialised DOM.
pub async fn dump_dom(url: &str) -> String {
    let profile = tempfile::tempdir().expect("a browser profile directory");
    let run = tokio::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            // Scripts get up to 20 s of (virtual) time to render before the DOM is taken.
            "--virtual-time-budget=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("chromium did not finish within 120 s")
        .unwrap_or_else(|e| {
            panic!("chromium is needed for the web pages' tests ({e}); scripts/test installs it")
        });
    assert!(
        out.status.success(),
        "chromium failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
