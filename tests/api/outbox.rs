//! The outbox survives a stopped SMTP server, a crashed worker and a killed
//! `clu serve`: every message arrives, exactly once.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clu::store;
use diesel::prelude::*;
use serde_json::json;

use crate::common::fixtures::{self, TestClock};
use crate::common::smtp::SmtpSink;
use crate::common::{Backend, JWT_SECRET, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: a_stopped_smtp_server_delays_but_loses_nothing,
    messages_are_given_up_after_the_last_attempt,
    a_claim_left_by_a_crashed_worker_is_taken_over,
    a_killed_server_resumes_and_sends_each_message_once,
);

/// (status, attempts, last_error) of every outbox message.
fn outbox(app: &TestApp) -> Vec<(String, i32, Option<String>)> {
    use clu::db::schema::outbox::dsl;
    let mut conn = app.state.db.get().expect("conn");
    dsl::outbox
        .select((dsl::status, dsl::attempts, dsl::last_error))
        .load(&mut *conn)
        .expect("outbox")
}

async fn invited(app: &TestApp) -> fixtures::Committee {
    let fixture = fixtures::committee(app).await;
    let meeting = fixtures::meeting(app, &fixture, 30).await;
    let queued = app
        .post(
            &format!("/api/v1/meetings/{meeting}/invitations"),
            &fixture.secretariat,
            json!({}),
        )
        .await;
    assert_eq!(queued.assert_status(202).json()["queued"], 5);
    fixture
}

async fn a_stopped_smtp_server_delays_but_loses_nothing(backend: Backend) {
    let mut sink = SmtpSink::stopped();
    let (clock, app_clock) = TestClock::new();
    let app = TestApp::configured(backend, app_clock, &[("smtp_url", json!(sink.url()))]).await;
    invited(&app).await;

    let pass = app.deliver().await;
    assert_eq!((pass.sent, pass.retried), (0, 5));
    for (status, attempts, error) in outbox(&app) {
        assert_eq!((status.as_str(), attempts), ("queued", 1));
        assert!(error.is_some_and(|e| !e.is_empty()), "the error is kept");
    }
    // Not due again before the backoff has passed.
    assert_eq!(app.deliver().await.retried, 0);

    sink.resume();
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(app.deliver().await.sent, 5);
    let received = sink.wait_for(5);
    let mut ids: Vec<String> = received.iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(app.deliver().await.sent, 0);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.received().len(), 5, "each arrived exactly once");
    assert!(
        outbox(&app)
            .iter()
            .all(|(status, attempts, _)| status == "sent" && *attempts == 2)
    );
}

async fn messages_are_given_up_after_the_last_attempt(backend: Backend) {
    let sink = SmtpSink::stopped();
    let (clock, app_clock) = TestClock::new();
    let app = TestApp::configured(
        backend,
        app_clock,
        &[
            ("smtp_url", json!(sink.url())),
            ("outbox_max_attempts", json!(3)),
        ],
    )
    .await;
    let fixture = invited(&app).await;
    // Retries after 30 s, then 60 s: minutes apart, within a token's life.
    for _ in 0..3 {
        app.deliver().await;
        clock.advance(chrono::Duration::minutes(2));
    }
    assert!(
        outbox(&app)
            .iter()
            .all(|(status, attempts, _)| status == "failed" && *attempts == 3),
        "{:?}",
        outbox(&app)
    );
    let meeting = app
        .get(
            &format!("/api/v1/committees/{}/meetings", fixture.committee),
            &fixture.secretariat,
        )
        .await
        .json();
    let id = meeting["items"][0]["id"].as_str().expect("id");
    let statuses = app
        .get(
            &format!("/api/v1/meetings/{id}/invitations"),
            &fixture.secretariat,
        )
        .await
        .json();
    for item in statuses["items"].as_array().expect("items") {
        assert_eq!(item["status"], "failed");
        assert_eq!(item["attempts"], 3);
        assert!(item["last_error"].is_string());
    }
    assert_eq!(
        app.deliver().await,
        clu::worker::Pass::default(),
        "failed messages stay failed"
    );
}

async fn a_claim_left_by_a_crashed_worker_is_taken_over(backend: Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::configured(
        backend,
        clu::clock::Clock::system(),
        &[("smtp_url", json!(sink.url()))],
    )
    .await;
    invited(&app).await;
    // A worker claimed everything, then died before sending.
    let now = chrono::Utc::now().naive_utc();
    {
        let mut conn = app.state.db.get().expect("conn");
        let due = store::outbox::due(&mut conn, now, 100).expect("due");
        let claimed = store::outbox::claim(
            &mut conn,
            "dead-worker",
            &due,
            now,
            now + chrono::Duration::seconds(120),
        )
        .expect("claim");
        assert_eq!(claimed.len(), 5);
    }
    assert_eq!(app.deliver().await.sent, 0, "the lease still holds");
    {
        use clu::db::schema::outbox::dsl;
        let mut conn = app.state.db.get().expect("conn");
        diesel::update(dsl::outbox)
            .set(dsl::claimed_until.eq(Some(now - chrono::Duration::seconds(1))))
            .execute(&mut *conn)
            .expect("expire the lease");
    }
    assert_eq!(app.deliver().await.sent, 5);
    assert_eq!(sink.wait_for(5).len(), 5);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

fn serve(app: &TestApp, sink: &SmtpSink, data: &std::path::Path) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clu"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("CLU_")) {
        command.env_remove(key);
    }
    command
        .arg("serve")
        .env("CLU_BIND", format!("127.0.0.1:{}", free_port()))
        .env("CLU_DATABASE_URL", app.state.settings.database_url.expose())
        .env("CLU_DATABASE_POOL_SIZE", "2")
        .env("CLU_SMTP_URL", sink.url())
        .env("CLU_JWT_SECRET", JWT_SECRET)
        .env("CLU_DATA_DIR", data)
        .env("CLU_OUTBOX_POLL_MS", "100")
        .env("CLU_OUTBOX_RETRY_BASE_SECONDS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start clu serve")
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn a_killed_server_resumes_and_sends_each_message_once(backend: Backend) {
    let mut sink = SmtpSink::stopped();
    let app = TestApp::configured(
        backend,
        clu::clock::Clock::system(),
        &[("smtp_url", json!(sink.url()))],
    )
    .await;
    invited(&app).await;
    let data = tempfile::tempdir().expect("tempdir");

    // The server tries while the SMTP server is down, then is killed.
    let mut first = serve(&app, &sink, data.path());
    // Killed once every message failed and went back to the queue (a kill
    // in the middle of a send is the lease test's case).
    wait_until("a first failed attempt", || {
        outbox(&app)
            .iter()
            .all(|(status, attempts, _)| *attempts >= 1 && status == "queued")
    });
    first.kill().expect("kill -9");
    first.wait().expect("reaped");
    assert!(outbox(&app).iter().all(|(status, _, _)| status != "sent"));

    // The mail server comes back, and so does clu.
    sink.resume();
    let mut second = serve(&app, &sink, data.path());
    wait_until("every message sent", || {
        outbox(&app).iter().all(|(status, _, _)| status == "sent")
    });
    std::thread::sleep(Duration::from_millis(1500));
    let _ = Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status();
    second.wait().expect("stopped");

    let received = sink.received();
    assert_eq!(received.len(), 5, "each invitation arrived exactly once");
    let mut ids: Vec<String> = received.iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
}

/// While a message is on the wire its lease is renewed: an SMTP server
/// that accepts the connection and never answers keeps the send going, and
/// the claim's end moves forward every few seconds instead of running out.
#[actix_web::test]
async fn a_message_being_sent_keeps_its_claim() {
    let tarpit = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = tarpit.local_addr().expect("addr").port();
    let app = TestApp::configured(
        Backend::Sqlite,
        clu::clock::Clock::system(),
        &[("smtp_url", json!(format!("smtp://127.0.0.1:{port}")))],
    )
    .await;
    invited(&app).await;
    let worker = clu::worker::Worker::new(app.state.clone()).expect("worker");
    let pass = actix_web::rt::spawn(async move { worker.run_once().await });
    let lease = || {
        use clu::db::schema::outbox::dsl;
        let mut conn = app.state.db.get().expect("conn");
        dsl::outbox
            .filter(dsl::status.eq("sending"))
            .select(diesel::dsl::max(dsl::claimed_until))
            .first::<Option<chrono::NaiveDateTime>>(&mut *conn)
            .expect("lease")
    };
    let mut first = None;
    for _ in 0..50 {
        first = lease();
        if first.is_some() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let first = first.expect("the messages are claimed");
    actix_web::rt::time::sleep(Duration::from_secs(7)).await;
    let later = lease().expect("still being sent");
    pass.abort();
    drop(tarpit);
    assert!(
        later >= first + chrono::Duration::seconds(4),
        "renewed: {first} then {later}"
    );
}
