//! Several `clu serve` over one PostgreSQL database and one SMTP server, as
//! a ministry runs them: 200 invitations delivered once although three
//! outbox workers run, one server killed (SIGKILL) in the middle of the
//! fan-out and its messages taken over within its lease; a token of one
//! server good on the others; the sign-in throttle counted across them;
//! answers sent to different servers all recorded; the automatic reminder
//! queued once, not once per server. The figures are printed for the notes.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::common::fixtures;
use crate::common::smtp::SmtpSink;
use crate::common::{Backend, JWT_SECRET, TestApp};

const MEMBERS: usize = 200;

struct Server {
    child: Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

fn start(app: &TestApp, sink: &SmtpSink, data: &std::path::Path) -> Server {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_clu"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("CLU_")) {
        command.env_remove(key);
    }
    let child = command
        .arg("serve")
        .env("CLU_BIND", format!("127.0.0.1:{port}"))
        .env("CLU_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("CLU_DATABASE_URL", app.state.settings.database_url.expose())
        .env("CLU_DATABASE_POOL_SIZE", "4")
        .env("CLU_SMTP_URL", sink.url())
        .env("CLU_JWT_SECRET", JWT_SECRET)
        .env("CLU_DATA_DIR", data)
        .env("CLU_OUTBOX_POLL_MS", "200")
        .env("CLU_REMINDER_DAYS_BEFORE", "7")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start clu serve");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn call(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let mut request = client.request(method.parse().expect("method"), url);
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let mut response = match body {
        Some(body) => request.send_json(&body).await,
        None => request.send().await,
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let bytes = response.body().limit(10_000_000).await.expect("body");
    (
        response.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn wait_for(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

/// (kind, status, count) of the outbox.
fn outbox(app: &TestApp) -> Vec<(String, String, i64)> {
    use clu::db::schema::outbox::dsl;
    let mut conn = app.state.db.get().expect("conn");
    dsl::outbox
        .group_by((dsl::kind, dsl::status))
        .select((dsl::kind, dsl::status, diesel::dsl::count_star()))
        .load(&mut *conn)
        .expect("outbox")
}

fn count(app: &TestApp, kind: &str, status: &str) -> i64 {
    outbox(app)
        .iter()
        .filter(|(k, s, _)| k == kind && s == status)
        .map(|(_, _, n)| *n)
        .sum()
}

#[actix_web::test]
async fn three_servers_over_one_postgresql_deliver_once_and_share_everything() {
    let sink = SmtpSink::start();
    let app = TestApp::configured(
        Backend::Postgres,
        clu::clock::Clock::system(),
        &[("smtp_url", json!(sink.url()))],
    )
    .await;
    let fixture = fixtures::committee(&app).await;
    let sec = fixture.secretariat.clone();
    // The fixture invites five members with an address (its substitute
    // is invited only if needed).
    for n in 0..MEMBERS - 5 {
        let member = app
            .create(
                "/api/v1/members",
                &sec,
                json!({"civility": "Mme", "first_name": "Membre", "last_name": format!("N{n:03}"), "email": format!("membre{n:03}@example.fr")}),
            )
            .await;
        app.create(
            &format!("/api/v1/committees/{}/memberships", fixture.committee),
            &sec,
            json!({"member_id": member, "role": "member"}),
        )
        .await;
    }
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut servers: Vec<Server> = (0..3).map(|_| start(&app, &sink, data.path())).collect();
    for server in &servers {
        let url = format!("{}/readyz", server.base);
        wait_for("a server to start", Duration::from_secs(60), async || {
            let client = awc::Client::default();
            client
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
    }

    // A token from one server is good on the others.
    let (status, login) = call(
        "POST",
        &format!("{}/api/v1/auth/login", servers[0].base),
        None,
        Some(json!({"email": fixture.secretariat_email, "password": crate::common::PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{login}");
    let token = login["access_token"].as_str().expect("token").to_owned();
    for server in &servers[1..] {
        let (status, me) = call(
            "GET",
            &format!("{}/api/v1/auth/me", server.base),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(
            (status, me["email"].as_str()),
            (200, Some(fixture.secretariat_email.as_str()))
        );
    }

    // Ten failures spread over the three servers lock the address on all.
    for n in 0..10 {
        let (status, _) = call(
            "POST",
            &format!("{}/api/v1/auth/login", servers[n % 3].base),
            None,
            Some(json!({"email": format!("inconnu{n}@clu.test"), "password": "au hasard"})),
        )
        .await;
        assert_eq!(status, 401);
    }
    for server in &servers {
        let (status, _) = call(
            "POST",
            &format!("{}/api/v1/auth/login", server.base),
            None,
            Some(json!({"email": "encore@clu.test", "password": "au hasard"})),
        )
        .await;
        assert_eq!(status, 429, "throttled on {}", server.base);
    }

    // 200 invitations through the first server; the second is killed in
    // the middle of the fan-out.
    let (status, queued) = call(
        "POST",
        &format!("{}/api/v1/meetings/{meeting}/invitations", servers[0].base),
        Some(&token),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 202, "{queued}");
    let expected = queued["queued"].as_i64().expect("queued");
    assert_eq!(
        expected,
        i64::try_from(MEMBERS).expect("n"),
        "every member with an address"
    );
    wait_for(
        "the fan-out to start",
        Duration::from_secs(60),
        async || sink.received().len() >= 20,
    )
    .await;
    let mut killed = servers.remove(1);
    killed.child.kill().expect("SIGKILL");
    killed.child.wait().expect("reaped");
    let at_kill = sink.received().len();
    let left_by_the_dead = count(&app, "invitation", "sending");
    let moved_on = wait_for(
        "every invitation sent",
        Duration::from_secs(90),
        async || count(&app, "invitation", "sent") == expected,
    )
    .await;
    let received = sink.received();
    let invitations: Vec<_> = received
        .iter()
        .filter(|m| m.subject().contains("Invitation") || m.rsvp_path().is_some())
        .collect();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for message in &invitations {
        *by_id.entry(message.message_id()).or_default() += 1;
    }
    let twice = by_id.values().filter(|n| **n > 1).count();
    assert_eq!(
        by_id.len(),
        MEMBERS,
        "every member got theirs, re-sent ones under the same Message-ID"
    );
    assert!(by_id.values().all(|n| *n <= 2));
    assert!(
        twice <= 10,
        "at most the killed server's messages in flight went twice: {twice}"
    );
    let recipients: std::collections::HashSet<String> =
        invitations.iter().map(|m| m.to()).collect();
    assert_eq!(recipients.len(), MEMBERS);
    eprintln!(
        "multi-server: {} invitations delivered to {} recipients, {twice} sent twice; \
         killed after {at_kill} received with {left_by_the_dead} claimed; \
         all sent {:.1} s after the kill",
        invitations.len(),
        recipients.len(),
        moved_on.as_secs_f64()
    );

    // Answers through the two servers left, all recorded.
    let links: Vec<String> = invitations
        .iter()
        .filter_map(|m| m.rsvp_path())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .take(30)
        .collect();
    for (n, link) in links.iter().enumerate() {
        let token = link.trim_start_matches("/rsvp/");
        let (status, body) = call(
            "POST",
            &format!("{}/api/v1/rsvp/{token}", servers[n % 2].base),
            None,
            Some(json!({"response": "accepted", "mode": "in_person"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let attendance = app
        .get(&format!("/api/v1/meetings/{meeting}/attendance"), &sec)
        .await
        .json();
    let accepted = attendance["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|row| row["response"] == "accepted")
        .count();
    assert_eq!(accepted, links.len(), "every answer recorded");

    // The meeting comes within the reminder's seven days, its invitations
    // two days old: each server's worker finds it due; it is queued once.
    {
        use clu::db::schema::{invitations, meetings};
        let mut conn = app.state.db.get().expect("conn");
        let soon = (chrono::Utc::now() + chrono::Duration::days(3)).naive_utc();
        diesel::update(meetings::table.find(&meeting))
            .set((
                meetings::starts_at.eq(soon),
                meetings::ends_at.eq(soon + chrono::Duration::hours(2)),
            ))
            .execute(&mut *conn)
            .expect("meeting moved");
        diesel::update(invitations::table.filter(invitations::meeting_id.eq(&meeting)))
            .set(
                invitations::created_at
                    .eq((chrono::Utc::now() - chrono::Duration::days(2)).naive_utc()),
            )
            .execute(&mut *conn)
            .expect("invitations backdated");
    }
    let pending = expected - i64::try_from(links.len()).expect("n");
    wait_for("the reminders sent", Duration::from_secs(60), async || {
        count(&app, "reminder", "sent") >= pending
    })
    .await;
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    let reminders: i64 = outbox(&app)
        .iter()
        .filter(|(k, _, _)| k == "reminder")
        .map(|(_, _, n)| *n)
        .sum();
    assert_eq!(
        reminders, pending,
        "one reminder per member who has not answered, not one per server"
    );

    // The secretariat's password changed through the first server: its
    // old token stops there at once, and on the others within the second
    // an account read is trusted (each of them has just read it).
    let me = |server: &Server| format!("{}/api/v1/auth/me", server.base);
    for server in &servers[1..] {
        assert_eq!(call("GET", &me(server), Some(&token), None).await.0, 200);
    }
    let (status, body) = call(
        "POST",
        &format!("{}/api/v1/auth/password", servers[0].base),
        Some(&token),
        Some(json!({"current_password": crate::common::PASSWORD, "new_password": "un tout autre mot de passe"})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        call("GET", &me(&servers[0]), Some(&token), None).await.0,
        401
    );
    actix_web::rt::time::sleep(clu::auth::recent::FRESH_FOR + Duration::from_millis(100)).await;
    for server in &servers[1..] {
        assert_eq!(
            call("GET", &me(server), Some(&token), None).await.0,
            401,
            "the old token refused on {} a second later",
            server.base
        );
    }

    for mut server in servers {
        let _ = Command::new("kill")
            .args(["-TERM", &server.child.id().to_string()])
            .status();
        server.child.wait().expect("stopped");
    }
}
