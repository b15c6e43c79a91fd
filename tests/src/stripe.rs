//! localstripe (PyPI), a stateful fake of Stripe's API, for the integration tests: started on a
//! port of its own, stopped on drop.

use serde_json::Value;
use std::process::{Command, Stdio};

pub struct LocalStripe {
    child: std::process::Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    http: reqwest::Client,
}

/// The key the tests use (localstripe takes any `sk_test_` key).
pub const KEY: &str = "sk_test_keel_integration";

impl LocalStripe {
    pub async fn start() -> LocalStripe {
        let bin = std::env::var("KEEL_LOCALSTRIPE").unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap_or_default();
            format!("{home}/.cache/keel/localstripe-venv/bin/localstripe")
        });
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("its address").port()
        };
        let child = Command::new(&bin)
            .args(["--port", &port.to_string(), "--from-scratch"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("localstripe is needed ({bin}: {e}); scripts/test installs it")
            });
        let me = LocalStripe {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        for _ in 0..200 {
            if me
                .http
                .get(format!("{}/v1/charges", me.url))
                .bearer_auth(KEY)
                .send()
                .await
                .is_ok()
            {
                return me;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("localstripe did not start on port {port}");
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(KEY)
            .form(form)
            .send()
            .await
            .expect("localstripe answers");
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// A card that pays (Stripe's test card 4242…), as a PaymentMethod.
    async fn card(&self) -> Value {
        self.post(
            "/v1/payment_methods",
            &[
                ("type", "card"),
                ("card[number]", "4242424242424242"),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ],
        )
        .await
    }

    /// A confirmed card payment; its PaymentIntent and charge ids.
    pub async fn pay(
        &self,
        amount: i64,
        currency: &str,
        visitor: Option<&str>,
    ) -> (String, String) {
        let pm = self.card().await;
        let amount = amount.to_string();
        let mut form = vec![
            ("amount", amount.as_str()),
            ("currency", currency),
            ("payment_method", pm["id"].as_str().expect("pm id")),
            ("confirm", "true"),
        ];
        if let Some(v) = visitor {
            form.push(("metadata[keel_visitor_id]", v));
        }
        let pi = self.post("/v1/payment_intents", &form).await;
        assert_eq!(pi["status"], "succeeded", "{pi}");
        let charge = pi["latest_charge"]["id"]
            .as_str()
            .or_else(|| pi["latest_charge"].as_str())
            .expect("a charge")
            .to_string();
        (pi["id"].as_str().expect("pi id").to_string(), charge)
    }

    pub async fn refund(&self, charge: &str, amount: i64) -> String {
        let amount = amount.to_string();
        let r = self
            .post("/v1/refunds", &[("charge", charge), ("amount", &amount)])
            .await;
        r["id"].as_str().expect("refund id").to_string()
    }

    /// A legacy plan (what localstripe's subscriptions take): `amount` each `interval`.
    pub async fn plan(&self, id: &str, amount: i64, currency: &str, interval: &str) {
        let amount = amount.to_string();
        self.post(
            "/v1/plans",
            &[
                ("id", id),
                ("amount", &amount),
                ("currency", currency),
                ("interval", interval),
                ("product[name]", id),
            ],
        )
        .await;
    }

    /// A customer with this email and a card to pay their invoices with.
    pub async fn customer(&self, email: &str) -> String {
        let pm = self.card().await;
        let c = self
            .post(
                "/v1/customers",
                &[
                    ("email", email),
                    (
                        "invoice_settings[default_payment_method]",
                        pm["id"].as_str().expect("pm id"),
                    ),
                ],
            )
            .await;
        c["id"].as_str().expect("customer id").to_string()
    }

    /// Subscribes a customer to a plan (its first invoice paid at once); the subscription id.
    pub async fn subscribe(&self, customer: &str, plan: &str) -> String {
        let s = self
            .post(
                "/v1/subscriptions",
                &[("customer", customer), ("items[0][plan]", plan)],
            )
            .await;
        assert_eq!(s["status"], "active", "{s}");
        s["id"].as_str().expect("subscription id").to_string()
    }

    /// Changes a subscription (`items[0][plan]`, `cancel_at_period_end`, …).
    pub async fn update_subscription(&self, id: &str, form: &[(&str, &str)]) {
        self.post(&format!("/v1/subscriptions/{id}"), form).await;
    }

    /// Cancels a subscription now.
    pub async fn cancel(&self, id: &str) {
        let r = self
            .http
            .delete(format!("{}/v1/subscriptions/{id}", self.url))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("localstripe answers");
        assert!(r.status().is_success(), "{r:?}");
    }

    /// Has localstripe send its events to `url`, signed with `secret`.
    pub async fn send_webhooks_to(&self, url: &str, secret: &str) {
        let r = self
            .http
            .post(format!("{}/_config/webhooks/keel", self.url))
            .form(&[("url", url), ("secret", secret)])
            .send()
            .await
            .expect("localstripe answers");
        assert!(r.status().is_success(), "{r:?}");
    }
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Stripe's own Node library (npm `stripe`), installed once under
/// `~/.cache/keel/stripe-node/<version>` (scripts/test installs Node and npm).
fn stripe_node_modules() -> std::path::PathBuf {
    const VERSION: &str = "23.2.0";
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let dir = std::path::Path::new(&home)
        .join(".cache/keel/stripe-node")
        .join(VERSION);
    let modules = dir.join("node_modules");
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if !modules.join("stripe/package.json").exists() {
        std::fs::create_dir_all(&dir).expect("stripe-node cache directory");
        let out = Command::new("npm")
            .args(["install", "--prefix"])
            .arg(&dir)
            .args([
                &format!("stripe@{VERSION}"),
                "--silent",
                "--no-audit",
                "--no-fund",
            ])
            .output()
            .expect("npm installs Stripe's library (scripts/test installs nodejs and npm)");
        assert!(
            out.status.success(),
            "npm install stripe: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    modules
}

/// A `Stripe-Signature` header for `payload` made by Stripe's own library
/// (`stripe.webhooks.generateTestHeaderString`), as Stripe signs its deliveries.
pub fn signed_by_stripe(payload: &str, secret: &str, timestamp: i64) -> String {
    let out = Command::new("node")
        .arg("-e")
        .arg(
            "const stripe = require('stripe')('sk_test_unused');\n\
             process.stdout.write(stripe.webhooks.generateTestHeaderString({\n\
               payload: process.env.PAYLOAD, secret: process.env.SECRET,\n\
               timestamp: Number(process.env.TIMESTAMP)}));",
        )
        .env("NODE_PATH", stripe_node_modules())
        .env("PAYLOAD", payload)
        .env("SECRET", secret)
        .env("TIMESTAMP", timestamp.to_string())
        .output()
        .expect("node runs Stripe's library");
    assert!(
        out.status.success(),
        "stripe.webhooks.generateTestHeaderString: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("a header")
}
