//! The mail that comes back, read from a real IMAP server (dovecot):
//! calendar answers recorded as answers by link are, bounces marking the
//! invitation undelivered, out-of-office robots ignored, replies forwarded
//! and listed; each message handled once, nothing lost while the server
//! is down; and the outgoing mail that makes all this work.

use clu::worker::inbox::{Inbox, InboxPass};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::common::fixtures::{self, Committee, EMAILS, TestClock};
use crate::common::imap::{DONE, ImapServer, USER};
use crate::common::mail_samples::{self, answer as answer_to, invitation_to};
use crate::common::smtp::SmtpSink;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: outlook_and_thunderbird_answers_are_recorded_and_audited,
    late_stale_or_foreign_answers_change_nothing,
    a_bounce_marks_the_invitation_undelivered_until_it_is_resent,
    an_out_of_office_reply_changes_nothing_and_a_reply_is_forwarded,
    two_readers_handle_each_message_once,
    an_unreachable_mailbox_loses_nothing,
    outgoing_mail_asks_for_answers_and_sends_bounces_back,
);

/// A convened meeting in 30 days whose invitations went (as files).
async fn invited(app: &TestApp) -> (Committee, String) {
    let fixture = fixtures::committee(app).await;
    let meeting = fixtures::meeting(app, &fixture, 30).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    assert_eq!(app.deliver().await.sent, 5);
    (fixture, meeting)
}

async fn read_mailbox(app: &TestApp) -> InboxPass {
    Inbox::new(app.state.clone())
        .expect("a mailbox is set")
        .run_once()
        .await
        .expect("the mailbox is read")
}

/// (response, mode, answered_via, response_note) of each member.
async fn answers(app: &TestApp, fixture: &Committee, meeting: &str) -> Vec<(String, Value)> {
    let list = app
        .get(
            &format!("/api/v1/meetings/{meeting}/attendance"),
            &fixture.secretariat,
        )
        .await;
    let list = list.assert_status(200).json();
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["member_id"].as_str().expect("id").to_owned(),
                json!([
                    i["response"],
                    i["mode"],
                    i["answered_via"],
                    i["response_note"]
                ]),
            )
        })
        .collect()
}

fn answer_of(answers: &[(String, Value)], member: &str) -> Value {
    answers
        .iter()
        .find(|(id, _)| id == member)
        .map(|(_, a)| a.clone())
        .unwrap_or(Value::Null)
}

/// The `kind` and `outcome` of every inbound message recorded.
fn inbound(app: &TestApp) -> Vec<(String, String)> {
    use clu::db::schema::inbound_messages::dsl;
    let mut conn = app.state.db.get().expect("conn");
    dsl::inbound_messages
        .order(dsl::handled_at.asc())
        .select((dsl::kind, dsl::outcome))
        .load(&mut *conn)
        .expect("inbound")
}

/// (kind, recipient) of the outbox rows of these kinds.
fn outbox_of(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    use clu::db::schema::outbox::dsl;
    let mut conn = app.state.db.get().expect("conn");
    dsl::outbox
        .filter(dsl::kind.eq(kind))
        .select((dsl::recipient, dsl::content))
        .load(&mut *conn)
        .expect("outbox")
}

async fn with_mailbox(backend: Backend, clock: clu::clock::Clock) -> (ImapServer, TestApp) {
    let server = ImapServer::start();
    let app = TestApp::configured(backend, clock, &server.settings()).await;
    (server, app)
}

async fn outlook_and_thunderbird_answers_are_recorded_and_audited(backend: Backend) {
    let (server, app) = with_mailbox(backend, clu::clock::Clock::system()).await;
    let (fixture, meeting) = invited(&app).await;
    let (_, uid, sequence) = invitation_to(&app, EMAILS[0]);
    server
        .append(&mail_samples::outlook_reply(&answer_to(
            &uid, sequence, EMAILS[0], "ACCEPTED",
        )))
        .await;
    // Bruno Martin's substitute is invited when he declines.
    let (_, uid_b, sequence_b) = invitation_to(&app, EMAILS[1]);
    assert_eq!(uid_b, uid, "one event per meeting");
    server
        .append(&mail_samples::thunderbird_reply(&answer_to(
            &uid,
            sequence_b,
            "Bruno.Martin@example.fr",
            "DECLINED",
        )))
        .await;
    // Claire Durand, "peut-être": still pending, with a note.
    server
        .append(&mail_samples::thunderbird_reply(&answer_to(
            &uid,
            sequence,
            EMAILS[2],
            "TENTATIVE",
        )))
        .await;

    let pass = read_mailbox(&app).await;
    assert_eq!(
        pass,
        InboxPass {
            handled: 3,
            ..InboxPass::default()
        }
    );
    let list = answers(&app, &fixture, &meeting).await;
    // A hybrid meeting: the calendar cannot say on site or remotely.
    assert_eq!(
        answer_of(&list, &fixture.titulars[0]),
        json!(["accepted", null, "calendar", "Modalité à préciser."])
    );
    assert_eq!(
        answer_of(&list, &fixture.titulars[1]),
        json!(["declined", null, "calendar", null])
    );
    assert_eq!(
        answer_of(&list, &fixture.titulars[2]),
        json!([
            "pending",
            null,
            "calendar",
            "A répondu « peut-être » depuis son agenda."
        ])
    );
    assert_eq!(
        answer_of(&list, &fixture.substitute)[0],
        "pending",
        "the substitute is invited"
    );
    let substitute_mail = outbox_of(&app, "invitation");
    assert!(
        substitute_mail
            .iter()
            .any(|(to, _)| to == "sophie.suppleante@example.fr")
    );
    let events = app
        .get("/api/v1/audit?entity=invitation", &fixture.admin)
        .await
        .json();
    let answers_audited: Vec<&Value> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "invitation.answer")
        .collect();
    assert_eq!(answers_audited.len(), 3, "{events}");
    assert!(
        answers_audited
            .iter()
            .all(|e| e["summary"]["via"] == "calendar"),
        "{events}"
    );
    assert_eq!(server.count("INBOX").await, 0);
    assert_eq!(server.count(DONE).await, 3, "filed away, not deleted");

    // The same answer again (a second click) changes nothing.
    server
        .append(&mail_samples::outlook_reply(&answer_to(
            &uid, sequence, EMAILS[0], "ACCEPTED",
        )))
        .await;
    assert_eq!(read_mailbox(&app).await.handled, 1);
    assert_eq!(answers(&app, &fixture, &meeting).await, list);
    let last = inbound(&app).pop().expect("recorded");
    assert_eq!(
        last,
        (
            "calendar_reply".into(),
            "Réponse du calendrier déjà enregistrée.".into()
        )
    );
}

async fn late_stale_or_foreign_answers_change_nothing(backend: Backend) {
    let (clock, app_clock) = TestClock::new();
    let (server, app) = with_mailbox(backend, app_clock).await;
    let (fixture, meeting) = invited(&app).await;
    let (_, uid, _) = invitation_to(&app, EMAILS[0]);
    // The meeting moves: invitations are updated, SEQUENCE 1.
    app.patch(
        &format!("/api/v1/meetings/{meeting}"),
        &fixture.secretariat,
        json!({"location": "Salle des fêtes"}),
    )
    .await
    .assert_status(200);
    let answer = |uid: &str, sequence: i32, attendee: &str| {
        mail_samples::outlook_reply(&answer_to(uid, sequence, attendee, "ACCEPTED"))
    };
    // To the first version of the invitation.
    server.append(&answer(&uid, 0, EMAILS[0])).await;
    // For an event clu never sent.
    server
        .append(&answer(
            "00000000-0000-0000-0000-000000000000@localhost",
            1,
            EMAILS[0],
        ))
        .await;
    // For another meeting, by someone not invited to it.
    let other = fixtures::meeting(&app, &fixture, 40).await;
    server
        .append(&answer(&format!("{other}@localhost"), 1, EMAILS[1]))
        .await;
    // By someone who is not invited.
    server.append(&answer(&uid, 1, "intrus@example.org")).await;
    let before = answers(&app, &fixture, &meeting).await;
    assert_eq!(read_mailbox(&app).await.handled, 4);
    assert_eq!(answers(&app, &fixture, &meeting).await, before);
    let outcomes = inbound(&app);
    assert_eq!(outcomes.len(), 4);
    for (kind, outcome) in &outcomes {
        assert_eq!(kind, "calendar_reply");
        assert!(
            outcome.starts_with("Réponse du calendrier ignorée"),
            "{outcome}"
        );
    }
    assert!(outcomes[0].1.contains("version antérieure"), "{outcomes:?}");
    assert!(outcomes[1].1.contains("inconnu"), "{outcomes:?}");
    assert!(outcomes[2].1.contains("non invité"), "{outcomes:?}");
    assert!(outcomes[3].1.contains("non invité"), "{outcomes:?}");

    // After the start: too late, as by link.
    clock.advance(chrono::Duration::days(31));
    let fixture = Committee {
        secretariat: app.token(&fixture.secretariat_email).await,
        ..fixture
    };
    server.append(&answer(&uid, 1, EMAILS[0])).await;
    assert_eq!(read_mailbox(&app).await.handled, 1);
    let last = inbound(&app).pop().expect("recorded");
    assert!(last.1.contains("commencé"), "{last:?}");
    let after: Vec<Value> = answers(&app, &fixture, &meeting)
        .await
        .into_iter()
        .map(|(_, a)| a[0].clone())
        .collect();
    assert!(after.iter().all(|r| r == "pending"), "{after:?}");
    assert_eq!(server.count(DONE).await, 5);
}

async fn a_bounce_marks_the_invitation_undelivered_until_it_is_resent(backend: Backend) {
    let (server, app) = with_mailbox(backend, clu::clock::Clock::system()).await;
    let (fixture, meeting) = invited(&app).await;
    let (message_id, _, _) = invitation_to(&app, EMAILS[3]);
    server
        .append(&mail_samples::postfix_bounce(
            &message_id,
            EMAILS[3],
            "5.1.1",
        ))
        .await;
    // A bounce for a message clu never sent changes nothing.
    server
        .append(&mail_samples::postfix_bounce(
            "<inconnu@ailleurs>",
            EMAILS[0],
            "5.2.2",
        ))
        .await;
    let pass = read_mailbox(&app).await;
    assert_eq!(pass.handled, 2, "{pass:?} {:?}", inbound(&app));
    let statuses = app
        .get(
            &format!("/api/v1/meetings/{meeting}/invitations"),
            &fixture.secretariat,
        )
        .await
        .json();
    let items = statuses["items"].as_array().expect("items");
    let bounced: Vec<&Value> = items
        .iter()
        .filter(|i| i["status"] == "undelivered")
        .collect();
    assert_eq!(bounced.len(), 1, "{statuses}");
    assert_eq!(bounced[0]["member_id"], fixture.titulars[3].as_str());
    let reason = bounced[0]["last_error"].as_str().expect("reason");
    assert!(
        reason.starts_with("adresse inconnue du serveur destinataire (code 5.1.1)"),
        "{reason}"
    );
    assert_eq!(
        items.iter().filter(|i| i["status"] == "sent").count(),
        4,
        "the others stay sent"
    );
    let events = app
        .get("/api/v1/audit?entity=invitation", &fixture.admin)
        .await
        .json();
    assert!(
        events["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["action"] == "message.undelivered"),
        "{events}"
    );
    let kinds: Vec<String> = inbound(&app).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["bounce", "unrelated"]);

    // The secrétariat sends it again: queued, then sent.
    let id = bounced[0]["id"].as_str().expect("id");
    app.post(
        &format!("/api/v1/invitations/{id}/resend"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    assert_eq!(app.deliver().await.sent, 1);
    let statuses = app
        .get(
            &format!("/api/v1/meetings/{meeting}/invitations"),
            &fixture.secretariat,
        )
        .await
        .json();
    assert!(
        statuses["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["status"] == "sent"),
        "{statuses}"
    );
}

async fn an_out_of_office_reply_changes_nothing_and_a_reply_is_forwarded(backend: Backend) {
    let (server, app) = with_mailbox(backend, clu::clock::Clock::system()).await;
    let (fixture, meeting) = invited(&app).await;
    let (message_id, _, _) = invitation_to(&app, EMAILS[2]);
    let before = answers(&app, &fixture, &meeting).await;
    server
        .append(&mail_samples::out_of_office(EMAILS[2], &message_id))
        .await;
    server
        .append(&mail_samples::human_reply(
            EMAILS[2],
            &message_id,
            "Bonjour,\r\n\r\nJe serai présente le 13 novembre.\r\n\r\nClaire Durand",
        ))
        .await;
    assert_eq!(read_mailbox(&app).await.handled, 2);
    assert_eq!(answers(&app, &fixture, &meeting).await, before);
    let kinds: Vec<String> = inbound(&app).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["auto_reply", "reply"]);

    // The structure's case officer gets it, the original attached.
    let structure = app
        .get(
            &format!("/api/v1/structures/{}", fixture.structure),
            &fixture.admin,
        )
        .await
        .json();
    let forwarded = outbox_of(&app, "reply-forward");
    assert_eq!(forwarded.len(), 1, "the robot's reply is not forwarded");
    assert_eq!(
        forwarded[0].0,
        structure["case_officer"]["email"]
            .as_str()
            .expect("officer")
    );
    let content: Value = serde_json::from_str(&forwarded[0].1).expect("json");
    let text = content["text"].as_str().expect("text");
    assert!(text.contains("Je serai présente le 13 novembre."), "{text}");
    assert!(text.contains(EMAILS[2]), "{text}");
    assert_eq!(content["attachments"][0]["content_type"], "message/rfc822");
    assert_eq!(
        content["reply_to"], EMAILS[2],
        "« Répondre » answers the member"
    );
    assert_eq!(app.deliver().await.sent, 1, "the forward leaves");

    // Listed on the meeting's page.
    let replies = app
        .state
        .db
        .read({
            let meeting = meeting.clone();
            move |conn| clu::domain::inbox::replies(conn, &clu::store::Scope::All, &meeting)
        })
        .await
        .expect("replies");
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].sender.as_deref(), Some(EMAILS[2]));
    assert_eq!(
        replies[0].subject.as_deref(),
        Some("Re: Invitation au comité local des usagers")
    );
}

async fn two_readers_handle_each_message_once(backend: Backend) {
    let (server, app) = with_mailbox(backend, clu::clock::Clock::system()).await;
    let (fixture, meeting) = invited(&app).await;
    // No case officer: replies go to the secrétariat's accounts.
    app.patch(
        &format!("/api/v1/structures/{}", fixture.structure),
        &fixture.admin,
        json!({"case_officer": null}),
    )
    .await
    .assert_status(200);
    let (message_id, uid, sequence) = invitation_to(&app, EMAILS[0]);
    for n in 0..4 {
        server
            .append(&mail_samples::human_reply(
                EMAILS[0],
                &message_id,
                &format!("Réponse numéro {n}"),
            ))
            .await;
    }
    for (email, partstat) in [
        (EMAILS[0], "ACCEPTED"),
        (EMAILS[1], "DECLINED"),
        (EMAILS[3], "ACCEPTED"),
    ] {
        server
            .append(&mail_samples::outlook_reply(&answer_to(
                &uid, sequence, email, partstat,
            )))
            .await;
    }
    // A second server: its own process state over the same database.
    let second = clu::AppState::new((*app.state.settings).clone(), app.state.clock.clone())
        .expect("second state");
    let one = Inbox::new(app.state.clone()).expect("reader");
    let two = Inbox::new(second).expect("reader");
    let (a, b) = tokio::join!(one.run_once(), two.run_once());
    let (a, b) = (a.expect("first reader"), b.expect("second reader"));
    assert_eq!(a.handled + b.handled, 7, "{a:?} {b:?}");
    assert_eq!(a.kept + b.kept, 0, "{a:?} {b:?}");
    assert_eq!(inbound(&app).len(), 7);
    let forwarded = outbox_of(&app, "reply-forward");
    assert_eq!(forwarded.len(), 4, "each forwarded once");
    assert!(
        forwarded
            .iter()
            .all(|(to, _)| *to == fixture.secretariat_email)
    );
    let events = app
        .get("/api/v1/audit?entity=invitation", &fixture.admin)
        .await
        .json();
    let answered = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "invitation.answer")
        .count();
    assert_eq!(answered, 3, "each answer recorded once");
    assert_eq!(
        outbox_of(&app, "invitation").len(),
        6,
        "one substitute invited, once"
    );
    assert_eq!(server.count("INBOX").await, 0);
    assert_eq!(server.count(DONE).await, 7);
    let list = answers(&app, &fixture, &meeting).await;
    assert_eq!(answer_of(&list, &fixture.titulars[1])[0], "declined");
}

async fn an_unreachable_mailbox_loses_nothing(backend: Backend) {
    let (mut server, app) = with_mailbox(backend, clu::clock::Clock::system()).await;
    let (fixture, meeting) = invited(&app).await;
    let (message_id, uid, sequence) = invitation_to(&app, EMAILS[0]);
    server
        .append(&mail_samples::thunderbird_reply(&answer_to(
            &uid, sequence, EMAILS[0], "ACCEPTED",
        )))
        .await;
    server
        .append(&mail_samples::postfix_bounce(
            &message_id,
            EMAILS[0],
            "5.2.2",
        ))
        .await;
    server.stop();
    let reader = Inbox::new(app.state.clone()).expect("reader");
    let err = reader.run_once().await.expect_err("the server is down");
    assert!(err.to_string().contains("connexion"), "{err}");
    assert!(inbound(&app).is_empty());

    server.resume();
    assert_eq!(reader.run_once().await.expect("back").handled, 2);
    let list = answers(&app, &fixture, &meeting).await;
    assert_eq!(answer_of(&list, &fixture.titulars[0])[0], "accepted");
    assert_eq!(server.count(DONE).await, 2);
}

async fn outgoing_mail_asks_for_answers_and_sends_bounces_back(backend: Backend) {
    let server = ImapServer::start();
    let sink = SmtpSink::start();
    let mut settings = server.settings();
    settings.push(("smtp_url", json!(sink.url())));
    settings.push(("calendar_alarm_hours", json!(24)));
    let app = TestApp::configured(backend, clu::clock::Clock::system(), &settings).await;
    let fixture = fixtures::committee(&app).await;
    app.patch(
        &format!("/api/v1/structures/{}", fixture.structure),
        &fixture.admin,
        json!({"case_officer": {"name": "Mme Lucie BERNARD", "email": "secretariat.clu@prefecture.test"}}),
    )
    .await
    .assert_status(200);
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    assert_eq!(app.deliver().await.sent, 5);
    let received = sink.wait_for(5);
    let first = &received[0];
    let message = first.parsed();
    assert_eq!(
        message.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    assert_eq!(
        message
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("secretariat.clu@prefecture.test")
    );
    // The envelope sender, as the SMTP server recorded it: bounces come
    // back to the mailbox clu reads.
    assert_eq!(message.header_raw("X-MailFrom").map(str::trim), Some(USER));
    let ics = first
        .ics()
        .expect("ics")
        .replace("\r\n ", "")
        .replace("\n ", "");
    assert!(
        ics.contains(&format!(
            "ORGANIZER;CN=Préfecture de la Haute-Marne:mailto:{USER}"
        )),
        "{ics}"
    );
    assert!(ics.contains("RSVP=TRUE"), "{ics}");
    assert!(ics.contains("TRIGGER:-PT24H"), "{ics}");
}

/// TLS from the first byte and STARTTLS, the server's certificate checked
/// against the public authorities and `imap_ca_file`.
#[actix_web::test]
async fn the_mailbox_is_read_over_tls_with_its_certificate_checked() {
    let server = ImapServer::start_tls();
    let tls_port = server.tls_port.expect("TLS");
    let ca = server.ca_file().display().to_string();
    for (url, trusted) in [
        (format!("imap://localhost:{}", server.port), true),
        (format!("imaps://localhost:{tls_port}"), true),
        (format!("imap://localhost:{}", server.port), false),
        (format!("imaps://localhost:{tls_port}"), false),
    ] {
        let mut settings = server.settings();
        settings.retain(|(key, _)| *key != "imap_url");
        settings.push(("imap_url", json!(url)));
        if trusted {
            settings.push(("imap_ca_file", json!(ca)));
        }
        let app =
            TestApp::configured(Backend::Sqlite, clu::clock::Clock::system(), &settings).await;
        let reader = Inbox::new(app.state.clone()).expect("reader");
        let outcome = reader.run_once().await;
        if trusted {
            assert_eq!(outcome.expect(&url), InboxPass::default());
        } else {
            let err = outcome.expect_err("an unknown authority is refused");
            assert!(err.to_string().contains("TLS"), "{url}: {err}");
        }
    }
    assert_eq!(server.count(DONE).await, 0);
}
