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

/// A headless Chromium driven over WebDriver (Debian's `chromium-driver`), closed on drop.
pub struct Browser {
    pub client: fantoccini::Client,
    driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A fresh browser (its own profile: no cookies, no storage). `resolve` maps host names to
    /// 127.0.0.1, for fixture sites served by the test (`shop.example.com`).
    pub async fn start(resolve: &[&str]) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("its address")
            .port();
        let driver = tokio::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("chromedriver is needed for the console's tests ({e}); scripts/test installs it")
            });
        let profile = tempfile::tempdir().expect("a browser profile directory");
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            "--window-size=1440,1000".into(),
            // Headless Chromium says so in its user agent, and the pixel ignores bots.
            "--user-agent=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if !resolve.is_empty() {
            let rules: Vec<String> = resolve
                .iter()
                .map(|h| format!("MAP {h} 127.0.0.1"))
                .collect();
            args.push(format!("--host-resolver-rules={}", rules.join(",")));
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "args": args, "binary": "/usr/bin/chromium" }),
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let client = loop {
            match fantoccini::ClientBuilder::new(
                hyper_util::client::legacy::connect::HttpConnector::new(),
            )
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            {
                Ok(c) => break c,
                Err(e) => {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "chromedriver did not answer within 30 s: {e}"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigates");
    }

    /// The first element matching `css`, waiting up to 20 s for it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` within 20 s: {e}"))
    }

    /// Every element matching `css` (none is fine).
    pub async fn all(&self, css: &str) -> Vec<fantoccini::elements::Element> {
        self.client
            .find_all(fantoccini::Locator::Css(css))
            .await
            .expect("find_all")
    }

    /// The text of the first element matching `css`, waiting up to 20 s until `pred` holds.
    pub async fn text_until(&self, css: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let text = match self.client.find(fantoccini::Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if pred(&text) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "`{css}` still reads {text:?} after 20 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fills the input matching `css`.
    pub async fn fill(&self, css: &str, value: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("clears");
        e.send_keys(value).await.expect("types");
    }

    /// Clicks the element matching `css`. A page that re-renders between finding the element
    /// and clicking it (the console redraws its navigation on every route) replaces it: the
    /// new one is found and clicked.
    pub async fn click(&self, css: &str) {
        for _ in 0..5 {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("clicks `{css}`: {e}"),
            }
        }
        panic!("`{css}` went stale five times in a row");
    }

    /// Runs `script` in the page and returns its value.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// The page's current URL.
    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("url").to_string()
    }

    /// Saves a screenshot to `target/screenshots/<name>.png` (a test artefact).
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

/// axe-core's script (the accessibility checker), from the npm registry once and then from
/// `~/.cache/keel/axe-core` (scripts/test fetches it too).
pub fn axe_source() -> String {
    const VERSION: &str = "4.14.1";
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let dir = std::path::Path::new(&home)
        .join(".cache/keel/axe-core")
        .join(VERSION);
    let file = dir.join("axe.min.js");
    if !file.exists() {
        std::fs::create_dir_all(&dir).expect("axe-core cache directory");
        let packed = std::process::Command::new("npm")
            .args(["pack", &format!("axe-core@{VERSION}"), "--silent"])
            .current_dir(&dir)
            .output()
            .expect("npm fetches axe-core (scripts/test installs nodejs)");
        assert!(
            packed.status.success(),
            "npm pack axe-core: {}",
            String::from_utf8_lossy(&packed.stderr)
        );
        let tgz = dir.join(format!("axe-core-{VERSION}.tgz"));
        let out = std::process::Command::new("tar")
            .arg("-xzf")
            .arg(&tgz)
            .arg("-C")
            .arg(&dir)
            .arg("package/axe.min.js")
            .status()
            .expect("tar");
        assert!(out.success(), "unpacking axe-core");
        std::fs::rename(dir.join("package/axe.min.js"), &file).expect("axe.min.js in place");
    }
    std::fs::read_to_string(&file).expect("axe.min.js")
}

impl Browser {
    /// Runs axe-core on the current page: its serious and critical violations, as
    /// `rule: target, …` lines (empty when there are none).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = axe_source();
        self.client
            .execute(&axe, vec![])
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        serde_json::from_value(found).unwrap_or_default()
    }
}
