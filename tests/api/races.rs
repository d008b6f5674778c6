//! Conflicting writes racing each other, a few hundred times: each read,
//! check and write of the domain stays whole (on PostgreSQL, the point of
//! `SERIALIZABLE` and its retries; SQLite's writers take turns). After each
//! race the rows are in a state the lifecycle allows, and no answer that
//! said "done" was undone by the other request.

use serde_json::{Value, json};

use crate::common::fixtures::{self, Committee};
use crate::common::{Backend, PASSWORD, Response, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: a_cancellation_racing_an_edit_stays_cancelled,
    a_signature_racing_a_return_leaves_one_of_them,
    two_roll_call_saves_keep_both_changes,
);

const RACES: usize = 200;

async fn put(app: &TestApp, path: String, token: &str, body: Value) -> Response {
    app.request(
        "PUT".parse().expect("method"),
        &path,
        Some(token),
        Some(body),
    )
    .await
}

async fn a_cancellation_racing_an_edit_stays_cancelled(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let mut edits_first = 0;
    for race in 0..RACES {
        let meeting = fixtures::meeting(&app, &fixture, 30).await;
        let path = format!("/api/v1/meetings/{meeting}");
        let place = format!("Salle {race}");
        let cancel_path = format!("{path}/cancel");
        let (edit, cancel) = tokio::join!(
            app.patch(&path, sec, json!({"location": place})),
            app.post(&cancel_path, sec, json!({})),
        );
        cancel.assert_status(200);
        let row = app.get(&path, sec).await.json();
        assert_eq!(
            row["status"], "cancelled",
            "race {race}: the cancellation was undone"
        );
        match edit.status.as_u16() {
            200 => {
                edits_first += 1;
                assert_eq!(
                    row["location"],
                    place.as_str(),
                    "race {race}: the edit was lost"
                );
            }
            409 => assert_ne!(row["location"], place.as_str(), "race {race}"),
            other => panic!("race {race}: the edit answered {other}: {}", edit.text()),
        }
    }
    assert!(
        edits_first > 0,
        "the edit never came first: no race was run"
    );
}

/// A meeting held, and the structure's signatory.
async fn held(app: &TestApp, fixture: &Committee) -> (String, String) {
    let sec = &fixture.secretariat;
    let (_, signatory) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "signatory",
            "signataire@clu.test",
        )
        .await;
    let meeting = fixtures::meeting(app, fixture, 30).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        sec,
        json!({}),
    )
    .await
    .assert_status(202);
    app.post(&format!("/api/v1/meetings/{meeting}/hold"), sec, json!({}))
        .await
        .assert_status(200);
    (meeting, signatory)
}

async fn a_signature_racing_a_return_leaves_one_of_them(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let (meeting, signatory) = held(&app, &fixture).await;
    let base = format!("/api/v1/meetings/{meeting}/minutes");
    let (mut signed, mut returned) = (0, 0);
    // How long a signature takes alone: the returns below start at spread
    // moments of it, so that they land before, during and after its write.
    put(&app, base.clone(), sec, json!({"opening": "Étalonnage"}))
        .await
        .assert_status(200);
    app.post(&format!("{base}/submit"), sec, json!({}))
        .await
        .assert_status(200);
    let started = std::time::Instant::now();
    app.post(
        &format!("{base}/sign"),
        &signatory,
        json!({"password": PASSWORD}),
    )
    .await
    .assert_status(200);
    let signing = started.elapsed();
    app.post(&format!("{base}/revise"), sec, json!({}))
        .await
        .assert_status(200);
    // Signing renders three documents: fewer races, each a real one.
    for race in 0..RACES / 4 {
        put(
            &app,
            base.clone(),
            sec,
            json!({"opening": format!("Séance {race}")}),
        )
        .await
        .assert_status(200);
        app.post(&format!("{base}/submit"), sec, json!({}))
            .await
            .assert_status(200);
        // The return starts from 0 to 9/8 of a signature later.
        let pause = signing * (race % 10) as u32 / 8;
        let (sign_path, return_path) = (format!("{base}/sign"), format!("{base}/return"));
        let (sign, ret) = tokio::join!(
            app.post(&sign_path, &signatory, json!({"password": PASSWORD})),
            async {
                actix_web::rt::time::sleep(pause).await;
                app.post(&return_path, &signatory, json!({"comment": "À revoir"}))
                    .await
            },
        );
        let minutes = app.get(&base, sec).await.json();
        let status = app
            .get(&format!("/api/v1/meetings/{meeting}"), sec)
            .await
            .json()["status"]
            .clone();
        match (sign.status.as_u16(), ret.status.as_u16()) {
            (200, 409) => {
                signed += 1;
                assert_eq!(minutes["status"], "signed", "race {race}");
                assert_eq!(minutes["documents"].as_array().map(Vec::len), Some(3));
                assert_eq!(status, "minutes_signed", "race {race}");
                app.post(&format!("{base}/revise"), sec, json!({}))
                    .await
                    .assert_status(200);
            }
            (409, 200) => {
                returned += 1;
                assert_eq!(minutes["status"], "draft", "race {race}");
                assert_eq!(
                    minutes["documents"].as_array().map(Vec::len),
                    Some(0),
                    "race {race}: a draft beside stored documents"
                );
                assert_eq!(status, "minutes_draft", "race {race}");
            }
            (a, b) => panic!(
                "race {race}: sign {a}, return {b}: exactly one must win\n{}\n{}",
                sign.text(),
                ret.text()
            ),
        }
    }
    assert!(
        signed > 0 && returned > 0,
        "signed {signed}, returned {returned}"
    );
}

async fn two_roll_call_saves_keep_both_changes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    for race in 0..RACES / 4 {
        let meeting = fixtures::meeting(&app, &fixture, 30).await;
        app.post(
            &format!("/api/v1/meetings/{meeting}/invitations"),
            sec,
            json!({}),
        )
        .await
        .assert_status(202);
        for member in &fixture.titulars[..4] {
            let path = format!("/api/v1/meetings/{meeting}/attendance/{member}");
            // One save records the answer, the other the presence: a lost
            // update would drop one of them.
            let (answer, presence) = tokio::join!(
                put(
                    &app,
                    path.clone(),
                    sec,
                    json!({"response": "accepted", "mode": "remote"})
                ),
                put(&app, path.clone(), sec, json!({"presence": "present"})),
            );
            answer.assert_status(200);
            presence.assert_status(200);
            let attendance = app
                .get(&format!("/api/v1/meetings/{meeting}/attendance"), sec)
                .await
                .json();
            let row = attendance["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|r| r["member_id"] == member.as_str())
                .cloned()
                .expect("the member's row");
            assert_eq!(
                (
                    row["response"].as_str(),
                    row["mode"].as_str(),
                    row["presence"].as_str()
                ),
                (Some("accepted"), Some("remote"), Some("present")),
                "race {race}: {row}"
            );
        }
    }
}
