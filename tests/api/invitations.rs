//! Invitations by e-mail, through a real SMTP server: who is invited, what
//! the message holds (link, French date, calendar), updates, cancellation,
//! reminders and the substitute of a titular who declines.

use std::str::FromStr;

use chrono::Duration;
use clu::clock::Clock;
use serde_json::json;

use crate::common::fixtures::{self, EMAILS, TestClock};
use crate::common::smtp::{Received, SmtpSink};
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: invitations_reach_each_member_once_with_link_date_and_calendar,
    changes_and_cancellation_are_sent_as_calendar_updates,
    reminders_reach_only_those_who_have_not_answered,
    a_titular_who_declines_brings_in_the_substitute,
    without_smtp_messages_are_written_as_eml_files,
);

async fn app_with_smtp(backend: Backend, sink: &SmtpSink, clock: Clock) -> TestApp {
    TestApp::configured(backend, clock, &[("smtp_url", json!(sink.url()))]).await
}

fn calendar(message: &Received) -> icalendar::Calendar {
    let text = message.ics().expect("an .ics attachment");
    icalendar::Calendar::from_str(&text).expect("a parseable calendar")
}

fn property(calendar: &icalendar::Calendar, key: &str) -> String {
    use icalendar::Component;
    calendar
        .events()
        .next()
        .and_then(|e| e.property_value(key))
        .unwrap_or_default()
        .to_owned()
}

async fn invitations_reach_each_member_once_with_link_date_and_calendar(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_with_smtp(backend, &sink, Clock::system()).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let path = format!("/api/v1/meetings/{meeting}/invitations");

    let queued = app
        .post(&path, &fixture.secretariat, json!({}))
        .await
        .assert_status(202)
        .json();
    assert_eq!(
        queued["queued"], 5,
        "six titulars, one without e-mail; the substitute waits"
    );
    let again = app
        .post(&path, &fixture.secretariat, json!({}))
        .await
        .assert_status(202)
        .json();
    assert_eq!(again["queued"], 0);

    let pass = app.deliver().await;
    let statuses = app.get(&path, &fixture.secretariat).await.json();
    assert_eq!(pass.sent, 5, "{pass:?} {statuses}");
    let received = sink.wait_for(5);
    assert_eq!(received.len(), 5);
    let mut recipients: Vec<String> = received.iter().map(Received::to).collect();
    recipients.sort();
    let mut expected: Vec<String> = EMAILS
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| (*e).to_owned())
        .collect();
    expected.sort();
    assert_eq!(recipients, expected);

    let starts_at = app
        .get(&format!("/api/v1/meetings/{meeting}"), &fixture.secretariat)
        .await
        .json()["starts_at"]
        .as_str()
        .expect("start")
        .to_owned();
    let long_date = clu::french::long_date_of(
        chrono::DateTime::parse_from_rfc3339(&starts_at)
            .expect("date")
            .with_timezone(&chrono::Utc),
    );
    let mut links = Vec::new();
    let mut uids = Vec::new();
    for message in &received {
        let text = message.text();
        assert!(
            message.subject().contains(&long_date),
            "subject: {}",
            message.subject()
        );
        assert!(text.contains(&long_date), "{text}");
        assert!(text.contains("de 14h30 à 16h30"), "{text}");
        assert!(
            text.contains("Salle Louise Michel") && text.contains("Bilan qualité 2022"),
            "{text}"
        );
        assert!(!message.html().is_empty());
        links.push(message.rsvp_path().expect("a personal link"));
        let calendar = calendar(message);
        assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
        assert_eq!(property(&calendar, "SEQUENCE"), "0");
        uids.push(property(&calendar, "UID"));
        let raw = message.ics().expect("ics").replace("\r\n ", "");
        assert!(
            raw.contains("DTSTART;TZID=Europe/Paris:") && raw.contains("T143000"),
            "{raw}"
        );
        assert!(
            raw.contains(&format!("mailto:{}", message.to())),
            "the attendee is the recipient"
        );
        assert!(raw.contains("ORGANIZER"));
    }
    links.sort();
    links.dedup();
    assert_eq!(links.len(), 5, "each member has a link of their own");
    uids.dedup();
    assert_eq!(uids.len(), 1, "one UID for the meeting");

    let statuses = app.get(&path, &fixture.secretariat).await.json();
    assert_eq!(statuses["total"], 5);
    for item in statuses["items"].as_array().expect("items") {
        assert_eq!(item["status"], "sent");
        assert_eq!(item["attempts"], 1);
        assert!(item["sent_at"].is_string());
    }
    // Message-IDs are the outbox's, one per message.
    let mut ids: Vec<String> = received.iter().map(Received::message_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    assert_eq!(app.deliver().await.sent, 0, "nothing is sent twice");
    assert_eq!(sink.received().len(), 5);
}

async fn changes_and_cancellation_are_sent_as_calendar_updates(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_with_smtp(backend, &sink, Clock::system()).await;
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
    app.deliver().await;
    sink.wait_for(5);

    // A new title alone tells nobody; a new place tells everyone.
    app.patch(
        &format!("/api/v1/meetings/{meeting}"),
        sec,
        json!({"title": "CLU de fin d'année"}),
    )
    .await
    .assert_status(200);
    assert_eq!(app.deliver().await.sent, 0);
    let moved = app
        .patch(
            &format!("/api/v1/meetings/{meeting}"),
            sec,
            json!({"location": "Salle Jean Moulin"}),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(moved["sequence"], 1);
    assert_eq!(app.deliver().await.sent, 5);
    let received = sink.wait_for(10);
    let updates: Vec<&Received> = received
        .iter()
        .filter(|m| m.text().contains("Salle Jean Moulin"))
        .collect();
    assert_eq!(updates.len(), 5);
    for update in &updates {
        let calendar = calendar(update);
        assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
        assert_eq!(property(&calendar, "SEQUENCE"), "1");
        assert!(
            update
                .text()
                .contains("Nouveau lieu\u{a0}: Salle Jean Moulin"),
            "{}",
            update.text()
        );
    }

    app.post(
        &format!("/api/v1/meetings/{meeting}/cancel"),
        sec,
        json!({}),
    )
    .await
    .assert_status(200);
    assert_eq!(app.deliver().await.sent, 5);
    let received = sink.wait_for(15);
    let cancellations: Vec<&Received> = received
        .iter()
        .filter(|m| m.ics().is_some_and(|i| i.contains("METHOD:CANCEL")))
        .collect();
    assert_eq!(cancellations.len(), 5);
    let calendar = calendar(cancellations[0]);
    assert_eq!(property(&calendar, "SEQUENCE"), "2");
    assert_eq!(property(&calendar, "STATUS"), "CANCELLED");
    assert!(cancellations[0].rsvp_path().is_none(), "nothing to answer");
}

async fn reminders_reach_only_those_who_have_not_answered(backend: Backend) {
    let sink = SmtpSink::start();
    let (clock, app_clock) = TestClock::new();
    let app = app_with_smtp(backend, &sink, app_clock).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 10).await;
    let sec = &fixture.secretariat;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        sec,
        json!({}),
    )
    .await
    .assert_status(202);
    app.deliver().await;
    let invitations = sink.wait_for(5);
    // Two answer: Anne accepts, Bruno declines (his substitute is invited).
    for message in &invitations {
        let response = match message.to().as_str() {
            "anne.titulaire@example.fr" => "accepted",
            "bruno.martin@example.fr" => "declined",
            _ => continue,
        };
        let link = message.rsvp_path().expect("link");
        app.request(
            "POST".parse().expect("method"),
            &format!("/api/v1{link}"),
            None,
            Some(json!({"response": response, "mode": "remote"})),
        )
        .await
        .assert_status(200);
    }
    app.deliver().await;
    let before = sink.wait_for(6).len();
    let reminded = app
        .post(
            &format!("/api/v1/meetings/{meeting}/reminders"),
            sec,
            json!({}),
        )
        .await
        .assert_status(202)
        .json();
    assert_eq!(
        reminded["queued"], 4,
        "Claire, Denis, Farid and the substitute have not answered"
    );
    assert_eq!(app.deliver().await.sent, 4);
    let received = sink.wait_for(before + 4);
    let reminders: Vec<String> = received[before..].iter().map(Received::to).collect();
    assert!(
        !reminders
            .iter()
            .any(|to| to.starts_with("anne") || to.starts_with("bruno")),
        "{reminders:?}"
    );

    // The automatic reminder, 7 days before, goes out once.
    clock.advance(Duration::days(4));
    let pass = app.deliver().await;
    assert_eq!(pass.reminders_queued, 4);
    assert_eq!(pass.sent, 4);
    clock.advance(Duration::hours(1));
    assert_eq!(app.deliver().await.reminders_queued, 0);
}

async fn a_titular_who_declines_brings_in_the_substitute(backend: Backend) {
    let sink = SmtpSink::start();
    let app = app_with_smtp(backend, &sink, Clock::system()).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    app.deliver().await;
    let invitations = sink.wait_for(5);
    let bruno = invitations
        .iter()
        .find(|m| m.to() == "bruno.martin@example.fr")
        .expect("Bruno's invitation");
    let link = bruno.rsvp_path().expect("link");
    let outcome = app
        .request(
            "POST".parse().expect("method"),
            &format!("/api/v1{link}"),
            None,
            Some(json!({"response": "declined"})),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(outcome["substitute_invited"], true);
    assert_eq!(app.deliver().await.sent, 1);
    let received = sink.wait_for(6);
    assert_eq!(received[5].to(), "sophie.suppleante@example.fr");
    // Declining again changes nothing and invites nobody more.
    let replay = app
        .request(
            "POST".parse().expect("method"),
            &format!("/api/v1{link}"),
            None,
            Some(json!({"response": "declined"})),
        )
        .await
        .json();
    assert_eq!(replay["changed"], false);
    assert_eq!(app.deliver().await.sent, 0);
    let attendance = app
        .get(
            &format!("/api/v1/meetings/{meeting}/attendance"),
            &fixture.secretariat,
        )
        .await
        .json();
    assert_eq!(attendance["total"], 6);
    assert_eq!(attendance["counts"]["declined"], 1);
    assert_eq!(attendance["counts"]["pending"], 5);
}

async fn without_smtp_messages_are_written_as_eml_files(backend: Backend) {
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
    assert_eq!(app.deliver().await.sent, 5);
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(files.len(), 5);
    let message = Received {
        raw: std::fs::read(&files[0]).expect("read"),
    };
    assert!(
        message.subject().starts_with("Invitation"),
        "{}",
        message.subject()
    );
    assert!(message.text().contains("de 14h30 à 16h30"));
    assert!(message.ics().is_some());
}
