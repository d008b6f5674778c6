//! `/metrics`: off unless configured, behind its bearer token, and its
//! counters and gauges move as requests, sign-ins and e-mails happen.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::common::fixtures;
use crate::common::{Backend, TestApp};

const TOKEN: &str = "jeton-de-supervision-de-trente-deux-caracteres";

/// The value of the sample whose name and labels start as `prefix`
/// (`clu_logins_total{outcome="failed"}`), 0 when it is not there yet.
fn sample(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|line| line.starts_with(prefix))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

async fn scrape(app: &TestApp) -> String {
    let response = app
        .send(
            TestRequest::get()
                .uri("/metrics")
                .insert_header(("Authorization", format!("Bearer {TOKEN}"))),
        )
        .await;
    response.assert_status(200);
    assert!(
        response.content_type().contains("openmetrics-text"),
        "{}",
        response.content_type()
    );
    response.text()
}

async fn failed_login(app: &TestApp, peer: &str) -> u16 {
    app.send(
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr(peer.parse().expect("peer"))
            .set_json(json!({"email": "personne@clu.test", "password": "pas le bon"})),
    )
    .await
    .status
    .as_u16()
}

#[actix_web::test]
async fn metrics_are_private_and_their_counters_move() {
    let plain = TestApp::new(Backend::Sqlite).await;
    plain.open("/metrics").await.assert_problem(404);

    let app = TestApp::configured(
        Backend::Sqlite,
        clu::clock::Clock::system(),
        &[("metrics_token", Value::from(TOKEN))],
    )
    .await;
    app.open("/metrics").await.assert_problem(401);
    app.send(TestRequest::get().uri("/metrics").insert_header((
        "Authorization",
        "Bearer un-autre-jeton-de-trente-deux-caracteres",
    )))
    .await
    .assert_problem(401);

    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let before = scrape(&app).await;
    let healthz = r#"clu_http_requests_total{route="/healthz",method="GET",status="200"}"#;
    let healthz_time = r#"clu_http_request_duration_seconds_count{route="/healthz",method="GET"}"#;
    for _ in 0..3 {
        app.open("/healthz").await.assert_status(200);
    }
    for _ in 0..11 {
        failed_login(&app, "192.0.2.50:1000").await;
    }
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    let queued = scrape(&app).await;
    let invitations = sample(&queued, r#"clu_outbox_messages{status="queued"}"#);
    assert!(invitations >= 2.0, "{queued}");
    assert!(sample(&queued, "clu_outbox_oldest_queued_age_seconds") >= 0.0);
    assert!(
        queued.contains(r#"clu_db_pool_connections{status="idle"}"#),
        "{queued}"
    );
    let pass = app.deliver().await;

    let after = scrape(&app).await;
    let moved = |name: &str| sample(&after, name) - sample(&before, name);
    assert_eq!(moved(healthz), 3.0, "{after}");
    assert_eq!(moved(healthz_time), 3.0);
    assert_eq!(moved(r#"clu_logins_total{outcome="failed"}"#), 10.0);
    assert_eq!(moved(r#"clu_logins_total{outcome="throttled"}"#), 1.0);
    assert_eq!(
        moved(r#"clu_emails_total{outcome="sent"}"#),
        pass.sent as f64
    );
    assert_eq!(pass.sent as f64, invitations);
    assert_eq!(
        sample(&after, r#"clu_outbox_messages{status="queued"}"#),
        0.0
    );
    // A path no route has is counted without its path.
    app.open("/n-importe-quoi/1234").await.assert_problem(404);
    let last = scrape(&app).await;
    assert!(!last.contains("n-importe-quoi"));
    assert!(last.contains(r#"route="(unmatched)""#));
}

#[actix_web::test]
async fn a_short_metrics_token_is_refused_at_start() {
    let figment = clu::config::Settings::figment(None).merge(("metrics_token", "court"));
    let err = clu::config::Settings::from_figment(figment).expect_err("refused");
    assert!(err.to_string().contains("metrics_token"), "{err}");
}
