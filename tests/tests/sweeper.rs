//! Anti-entropy: with no relay at all (so the broker never carries an event), Kafka-fed
//! projectors still get every event, from the log, once the grace period has passed.

#![allow(clippy::unwrap_used)]

use keel_api::{Application, Role};
use keel_infra::config::{Config, KafkaConfig};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn events_the_feed_never_delivers_are_applied_from_the_log() {
    let admin = format!("keel_admin_test_{}", uuid::Uuid::new_v4().simple());
    let config = Config {
        listen: "127.0.0.1:0".into(),
        admin_token: Some(admin.clone()),
        database_url: Some(keel_testkit::fresh_postgres_url().await),
        kafka: KafkaConfig {
            brokers: Some(keel_tests::kafka_brokers()),
            topic: format!("keel.test.{}", uuid::Uuid::new_v4().simple()),
            partitions: 3,
            group_instance_id: None,
        },
        ..Config::default()
    };
    // An api process and a projector process; no relay, so nothing reaches the topic.
    let api = Application::build(config.clone(), Role::Api).await.unwrap();
    let base = format!("http://127.0.0.1:{}", api.port());
    let api = api.spawn();
    let projector = Application::build(config, Role::Projector)
        .await
        .unwrap()
        .spawn();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/api/v1/workspaces"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Undelivered", "tier": "pro"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<serde_json::Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let started = Instant::now();
    let mut status = 0;
    while started.elapsed() < Duration::from_secs(30) {
        let r = client
            .get(format!("{base}/api/v1/workspaces/{id}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        status = r.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, 200, "the workspace never reached its read model");
    let waited = started.elapsed();
    assert!(
        waited >= keel_infra::sweeper::GRACE - Duration::from_millis(500),
        "applied in {waited:?}: it cannot have come through Kafka, so not before the grace period"
    );
    projector.stop().await;
    api.stop().await;
}
