//! Answering by link, without an account: reading the page changes
//! nothing; a POST records the answer once; forged, staff and expired
//! tokens are refused, and a link is no bearer token.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use chrono::Duration;
use serde_json::json;

use crate::common::fixtures::{self, Committee, TestClock};
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: opening_a_link_changes_nothing,
    answers_are_recorded_once_and_can_change,
    bad_links_are_refused_with_the_right_status,
    attendance_is_recorded_at_the_roll_call,
    anonymisation_withdraws_links_and_erases_queued_mail,
    a_refused_answer_records_nothing_and_can_be_given_again,
);

/// A decline brings in the substitute, whose invitation is rendered in the
/// same transaction. When that fails, the whole answer is rolled back: the
/// member sees the error page, nothing is recorded, and once the template
/// is mended the same click works.
async fn a_refused_answer_records_nothing_and_can_be_given_again(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let links = links(&app, &fixture, &meeting).await;
    let bruno = link_of(&links, "bruno.martin@example.fr").to_owned();
    let decline = || {
        TestRequest::post()
            .uri(&bruno)
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload("response=declined")
    };
    let mended = (*app.state.settings).clone();
    let broken_dir = tempfile::tempdir().expect("tempdir");
    let invitation = broken_dir.path().join("email").join("invitation");
    std::fs::create_dir_all(&invitation).expect("mkdir");
    std::fs::write(
        invitation.join("body.txt.hbs"),
        "{{member.display}} {{no_such_field.at_all}}\n",
    )
    .expect("write");
    let mut broken = mended.clone();
    broken.templates_dir = Some(broken_dir.path().to_owned());
    app.restart_with(broken).await;

    let refused = app.send(decline()).await;
    assert_eq!(refused.status.as_u16(), 500, "{}", refused.text());
    assert!(refused.content_type().starts_with("text/html"));
    assert!(
        refused.text().contains("n’a pas pu être traitée"),
        "{}",
        refused.text()
    );
    let attendance = answers(&app, &fixture, &meeting).await;
    let rows = attendance["items"].as_array().expect("items");
    let of = |member: &str| rows.iter().find(|r| r["member_id"] == member).cloned();
    assert_eq!(
        of(&fixture.titulars[1]).expect("Bruno")["response"],
        "pending"
    );
    assert!(
        of(&fixture.substitute).is_none(),
        "the substitute is not invited"
    );

    app.restart_with(mended).await;
    let accepted = app.send(decline()).await;
    assert_eq!(accepted.status.as_u16(), 200, "{}", accepted.text());
    assert!(accepted.text().contains("Votre absence est enregistrée"));
    let attendance = answers(&app, &fixture, &meeting).await;
    let rows = attendance["items"].as_array().expect("items");
    let of = |member: &str| rows.iter().find(|r| r["member_id"] == member).cloned();
    assert_eq!(
        of(&fixture.titulars[1]).expect("Bruno")["response"],
        "declined"
    );
    assert!(
        of(&fixture.substitute).is_some(),
        "the substitute is invited"
    );
}

/// The answer link of each invited member, from the outbox (the e-mails
/// are written as files here; the SMTP path has tests of its own).
pub(crate) async fn links(
    app: &TestApp,
    fixture: &Committee,
    meeting: &str,
) -> Vec<(String, String)> {
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    app.deliver().await;
    let mut links = Vec::new();
    for entry in std::fs::read_dir(app.mail_dir()).expect("mail dir") {
        let message = crate::common::smtp::Received {
            raw: std::fs::read(entry.expect("entry").path()).expect("read"),
        };
        links.push((message.to(), message.rsvp_path().expect("link")));
    }
    links.sort();
    links
}

pub(crate) fn link_of<'a>(links: &'a [(String, String)], email: &str) -> &'a str {
    &links.iter().find(|(to, _)| to == email).expect("invited").1
}

async fn answers(app: &TestApp, fixture: &Committee, meeting: &str) -> serde_json::Value {
    app.get(
        &format!("/api/v1/meetings/{meeting}/attendance"),
        &fixture.secretariat,
    )
    .await
    .assert_status(200)
    .json()
}

async fn opening_a_link_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let links = links(&app, &fixture, &meeting).await;
    let link = link_of(&links, "claire.durand@example.fr");
    let before = answers(&app, &fixture, &meeting).await;
    for _ in 0..20 {
        let page = app.open(link).await;
        page.assert_status(200);
        let head = app
            .send(TestRequest::default().method(Method::HEAD).uri(link))
            .await;
        head.assert_status(200);
        assert!(head.body.is_empty());
    }
    assert_eq!(
        answers(&app, &fixture, &meeting).await,
        before,
        "nothing changed"
    );
    let events = app
        .get("/api/v1/audit?entity=invitation", &fixture.admin)
        .await
        .json();
    assert_eq!(events["total"], 0);

    let page = app.open(link).await;
    assert_eq!(
        page.headers.get("referrer-policy").expect("header"),
        "no-referrer"
    );
    assert_eq!(
        page.headers.get("cache-control").expect("header"),
        "no-store"
    );
    assert!(page.content_type().starts_with("text/html"));
    let html = page.text();
    assert!(html.contains("<html lang=\"fr\""), "{html}");
    assert!(
        html.contains("Mme Claire DURAND") && html.contains("Salle Louise Michel"),
        "{html}"
    );
    assert!(html.contains("Vous n’avez pas encore répondu."), "{html}");
    assert!(!html.contains("<script"), "works without JavaScript");
    for value in [
        "value=\"accepted\"",
        "value=\"declined\"",
        "value=\"in_person\"",
        "value=\"remote\"",
        "<fieldset",
        "<legend",
        "<label for=",
    ] {
        assert!(html.contains(value), "{value} missing");
    }
}

async fn answers_are_recorded_once_and_can_change(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let links = links(&app, &fixture, &meeting).await;
    let claire = link_of(&links, "claire.durand@example.fr");
    let form = |body: &str| {
        TestRequest::post()
            .uri(claire)
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload(body.to_owned())
    };

    let confirmed = app.send(form("response=accepted&mode=in_person")).await;
    confirmed.assert_status(200);
    assert!(
        confirmed
            .text()
            .contains("Votre participation en présentiel est enregistrée"),
        "{}",
        confirmed.text()
    );
    let replay = app.send(form("response=accepted&mode=in_person")).await;
    assert!(replay.text().contains("déjà enregistrée"));
    let attendance = answers(&app, &fixture, &meeting).await;
    assert_eq!(attendance["counts"]["accepted"], 1);
    assert_eq!(attendance["counts"]["in_person"], 1);
    let entry = attendance["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["last_name"] == "Durand")
        .expect("Claire")
        .clone();
    assert_eq!(entry["response"], "accepted");
    assert_eq!(entry["mode"], "in_person");
    assert!(entry["responded_at"].is_string());
    let events = app
        .get("/api/v1/audit?entity=invitation", &fixture.admin)
        .await
        .json();
    assert_eq!(events["total"], 1, "one event per actual change");

    // Changes of mind are fine until the meeting starts.
    let remote = app
        .request(
            Method::POST,
            &format!("/api/v1{claire}"),
            None,
            Some(json!({"response": "accepted", "mode": "remote"})),
        )
        .await;
    assert_eq!(remote.assert_status(200).json()["changed"], true);
    let declined = app
        .request(
            Method::POST,
            &format!("/api/v1{claire}"),
            None,
            Some(json!({"response": "declined"})),
        )
        .await;
    let declined = declined.json();
    assert_eq!(declined["response"], "declined");
    assert!(declined["mode"].is_null());
    assert_eq!(
        app.get("/api/v1/audit?entity=invitation", &fixture.admin)
            .await
            .json()["total"],
        3
    );

    // The meeting is hybrid: accepting without saying how is incomplete.
    let incomplete = app.send(form("response=accepted")).await;
    incomplete.assert_status(422);
    assert!(
        incomplete.text().contains("présentiel ou à distance"),
        "{}",
        incomplete.text()
    );
    let nothing = app.send(form("mode=remote")).await;
    nothing.assert_status(422);
    let pending = app
        .request(
            Method::POST,
            &format!("/api/v1{claire}"),
            None,
            Some(json!({"response": "pending"})),
        )
        .await;
    assert_eq!(pending.error_fields(), ["response"]);
    assert_eq!(
        answers(&app, &fixture, &meeting).await["counts"]["declined"],
        1,
        "refused answers change nothing"
    );
}

async fn bad_links_are_refused_with_the_right_status(backend: Backend) {
    let (clock, app_clock) = TestClock::new();
    let app = TestApp::with_clock(backend, app_clock).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let links = links(&app, &fixture, &meeting).await;
    let link = link_of(&links, "denis.petit@example.fr").to_owned();
    let token = link.trim_start_matches("/rsvp/").to_owned();

    // A link is not a bearer token, and a staff token is not a link.
    app.get("/api/v1/auth/me", &token).await.assert_problem(401);
    let staff_as_link = app.open(&format!("/rsvp/{}", fixture.secretariat)).await;
    staff_as_link.assert_status(400);
    assert!(staff_as_link.text().contains("lang=\"fr\""));
    let mut forged = token.clone();
    let last = forged.pop().expect("char");
    forged.push(if last == 'A' { 'B' } else { 'A' });
    app.open(&format!("/rsvp/{forged}"))
        .await
        .assert_status(400);
    app.request(
        Method::POST,
        &format!("/api/v1/rsvp/{forged}"),
        None,
        Some(json!({"response": "declined"})),
    )
    .await
    .assert_problem(400);
    app.open("/rsvp/not-even-a-token").await.assert_status(400);

    // After the start: 410, on the page and the API alike.
    clock.advance(Duration::days(31));
    let closed = app.open(&link).await;
    closed.assert_status(410);
    assert!(
        closed.text().contains("La réunion a commencé"),
        "{}",
        closed.text()
    );
    app.request(
        Method::POST,
        &format!("/api/v1{link}"),
        None,
        Some(json!({"response": "declined"})),
    )
    .await
    .assert_problem(410);
    // A month later the morning's staff token has long expired.
    let path = format!("/api/v1/meetings/{meeting}/attendance");
    app.get(&path, &fixture.secretariat)
        .await
        .assert_problem(401);
    let sec = app.token(&fixture.secretariat_email).await;
    let attendance = app.get(&path, &sec).await.json();
    assert_eq!(attendance["counts"]["pending"], 5);
}

async fn attendance_is_recorded_at_the_roll_call(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let sec = &fixture.secretariat;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        sec,
        json!({}),
    )
    .await
    .assert_status(202);
    let app = &app;
    let put = async |member: &str, body: serde_json::Value| {
        let path = format!("/api/v1/meetings/{meeting}/attendance/{member}");
        app.request(Method::PUT, &path, Some(sec), Some(body)).await
    };
    put(
        &fixture.titulars[0],
        json!({"presence": "present", "response": "accepted", "mode": "in_person"}),
    )
    .await
    .assert_status(200);
    put(
        &fixture.titulars[1],
        json!({"presence": "excused", "response": "declined"}),
    )
    .await
    .assert_status(200);
    put(&fixture.titulars[2], json!({"presence": "absent"}))
        .await
        .assert_status(200);
    // Not invited by e-mail (no address), present all the same.
    let walk_in = put(&fixture.without_email, json!({"presence": "present"}))
        .await
        .assert_status(200)
        .json();
    assert_eq!(walk_in["presence"], "present");
    let bad = put(&fixture.titulars[3], json!({"presence": "late"})).await;
    assert_eq!(bad.error_fields(), ["presence"]);
    let mode_without_accepting = put(&fixture.titulars[3], json!({"mode": "remote"})).await;
    assert_eq!(mode_without_accepting.error_fields(), ["mode"]);

    let attendance = answers(app, &fixture, &meeting).await;
    assert_eq!(attendance["total"], 6);
    assert_eq!(attendance["counts"]["present"], 2);
    assert_eq!(attendance["counts"]["excused"], 1);
    assert_eq!(attendance["counts"]["absent"], 1);
    assert_eq!(attendance["counts"]["unknown"], 2);
    let (_, reader) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    put(&fixture.titulars[3], json!({"presence": "present"}))
        .await
        .assert_status(200);
    app.request(
        Method::PUT,
        &format!(
            "/api/v1/meetings/{meeting}/attendance/{}",
            fixture.titulars[3]
        ),
        Some(&reader),
        Some(json!({"presence": "absent"})),
    )
    .await
    .assert_problem(403);
}

async fn anonymisation_withdraws_links_and_erases_queued_mail(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    // Still queued: the address and the link sit in the outbox.
    let member = &fixture.titulars[5];
    let export = app
        .get(
            &format!("/api/v1/members/{member}/export"),
            &fixture.secretariat,
        )
        .await
        .json();
    assert_eq!(export["invitations"][0]["email"], "farid.benali@example.fr");
    assert_eq!(export["invitations"][0]["response"], "pending");
    app.post(
        &format!("/api/v1/members/{member}/anonymize"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(200);
    app.deliver().await;
    let recipients: Vec<String> = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .map(|e| {
            crate::common::smtp::Received {
                raw: std::fs::read(e.expect("entry").path()).expect("read"),
            }
            .to()
        })
        .collect();
    assert_eq!(
        recipients.len(),
        4,
        "the anonymised member's invitation is not sent: {recipients:?}"
    );
    assert!(!recipients.contains(&"farid.benali@example.fr".to_owned()));
    let statuses = app
        .get(
            &format!("/api/v1/meetings/{meeting}/invitations"),
            &fixture.secretariat,
        )
        .await
        .json();
    assert!(!statuses.to_string().contains("farid"), "{statuses}");
    // The attendance row stays, for the statistics.
    assert_eq!(answers(&app, &fixture, &meeting).await["total"], 5);
}
