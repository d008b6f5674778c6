//! The staff told of the minutes' progress by e-mail, through the outbox
//! and a real SMTP server: the signatories when minutes are submitted, the
//! secrétariat when they are returned (with the comment) or signed; a
//! disabled signatory is not written to.

use serde_json::json;

use crate::common::fixtures;
use crate::common::smtp::SmtpSink;
use crate::common::{Backend, PASSWORD, TestApp};
use crate::minutes::{held_meeting, minutes_body, put};
use crate::on_both_backends;

on_both_backends!(backend: the_staff_hear_of_submission_return_and_signature,);

async fn the_staff_hear_of_submission_return_and_signature(backend: Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::configured(
        backend,
        clu::clock::Clock::system(),
        &[("smtp_url", json!(sink.url()))],
    )
    .await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let (_, signatory) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "signatory",
            "signataire@clu.test",
        )
        .await;
    let (away, _) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "signatory",
            "absent@clu.test",
        )
        .await;
    app.patch(
        &format!("/api/v1/users/{away}"),
        &fixture.admin,
        json!({"active": false}),
    )
    .await
    .assert_status(200);
    let (meeting, items) = held_meeting(&app, &fixture).await;
    app.deliver().await;
    let before = sink.wait_for(5).len();
    let base = format!("/api/v1/meetings/{meeting}/minutes");
    put(&app, sec, &meeting, minutes_body(&items, ""))
        .await
        .assert_status(200);

    app.post(&format!("{base}/submit"), sec, json!({}))
        .await
        .assert_status(200);
    assert_eq!(app.deliver().await.sent, 1, "one active signatory");
    let received = sink.wait_for(before + 1);
    let to_sign = &received[before];
    assert_eq!(to_sign.to(), "signataire@clu.test");
    assert!(to_sign.subject().starts_with("Compte-rendu à signer"));
    assert!(
        to_sign
            .text()
            .contains(&format!("/reunions/{meeting}/compte-rendu/signature")),
        "{}",
        to_sign.text()
    );

    app.post(
        &format!("{base}/return"),
        &signatory,
        json!({"comment": "Préciser l’heure de clôture."}),
    )
    .await
    .assert_status(200);
    assert_eq!(app.deliver().await.sent, 1, "one secrétariat");
    let received = sink.wait_for(before + 2);
    let returned = &received[before + 1];
    assert_eq!(returned.to(), fixture.secretariat_email);
    assert!(returned.subject().starts_with("Compte-rendu renvoyé"));
    assert!(returned.text().contains("Préciser l’heure de clôture."));
    assert!(returned.html().contains("Préciser l’heure de clôture."));

    app.post(&format!("{base}/submit"), sec, json!({}))
        .await
        .assert_status(200);
    app.post(
        &format!("{base}/sign"),
        &signatory,
        json!({"password": PASSWORD}),
    )
    .await
    .assert_status(200);
    assert_eq!(app.deliver().await.sent, 2, "submitted again, then signed");
    let received = sink.wait_for(before + 4);
    let signed = received[before + 2..]
        .iter()
        .find(|m| m.subject().starts_with("Compte-rendu signé"))
        .expect("the signature told");
    assert_eq!(signed.to(), fixture.secretariat_email);
    assert!(
        signed
            .text()
            .contains(&format!("/reunions/{meeting}/compte-rendu"))
    );
    assert!(
        received.iter().all(|m| m.to() != "absent@clu.test"),
        "a disabled signatory is not written to"
    );
}
