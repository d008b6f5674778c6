//! Conditional reads: the meeting, its attendance and the lists carry an
//! `ETag`; `If-None-Match` with the current tag gets `304` and no body;
//! any audited change of the structure's data (an answer by link, a member
//! renamed) gives a new tag and the new answer; a tag is the caller's own.

use actix_web::http::Method;
use actix_web::http::header;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::common::fixtures;
use crate::common::{Backend, Response, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: a_current_copy_is_answered_not_modified,
    a_change_gives_a_new_tag_and_the_new_answer,
    a_tag_is_the_callers_own
);

async fn conditional(app: &TestApp, path: &str, token: &str, tag: &str) -> Response {
    app.send(
        TestRequest::default()
            .method(Method::GET)
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header((header::IF_NONE_MATCH, tag.to_owned())),
    )
    .await
}

fn tag(response: &Response) -> String {
    response
        .headers
        .get(header::ETAG)
        .unwrap_or_else(|| panic!("no ETag on {:?}", response.status))
        .to_str()
        .expect("ascii")
        .to_owned()
}

async fn a_current_copy_is_answered_not_modified(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let meeting = fixtures::meeting(&app, &fixture, 10).await;
    for path in [
        format!("/api/v1/meetings/{meeting}"),
        format!("/api/v1/meetings/{meeting}/attendance"),
        format!("/api/v1/committees/{}/meetings", fixture.committee),
        "/api/v1/members?q=titulaire".to_owned(),
    ] {
        let full = app.get(&path, sec).await;
        full.assert_status(200);
        let current = tag(&full);
        assert!(current.starts_with("W/\""), "{path}: {current}");
        assert_eq!(
            full.headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("private, no-cache"),
            "{path}"
        );

        let again = conditional(&app, &path, sec, &current).await;
        again.assert_status(304);
        assert!(again.body.is_empty(), "{path}: a 304 has no body");
        assert_eq!(tag(&again), current, "{path}");

        // Among other tags, or without `W/`: still current.
        let listed = format!("\"other\", {}", current.trim_start_matches("W/"));
        conditional(&app, &path, sec, &listed)
            .await
            .assert_status(304);
        // `*`: the whole answer, never a 304 for what may not exist.
        conditional(&app, &path, sec, "*").await.assert_status(200);
        // Another tag: the whole answer.
        let stale = conditional(&app, &path, sec, "W/\"0-0\"").await;
        stale.assert_status(200);
        assert_eq!(stale.json(), full.json(), "{path}");
    }
}

async fn a_change_gives_a_new_tag_and_the_new_answer(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let meeting = fixtures::meeting(&app, &fixture, 10).await;
    let links = crate::rsvp::links(&app, &fixture, &meeting).await;
    let attendance = format!("/api/v1/meetings/{meeting}/attendance");
    let before = app.get(&attendance, sec).await;
    let first = tag(&before);

    // An answer by link (no staff caller at all) changes the attendance.
    let link = crate::rsvp::link_of(&links, fixtures::EMAILS[1]);
    let token = link.trim_start_matches("/rsvp/");
    app.request(
        Method::POST,
        &format!("/api/v1/rsvp/{token}"),
        None,
        Some(json!({"response": "declined"})),
    )
    .await
    .assert_status(200);
    let after = conditional(&app, &attendance, sec, &first).await;
    after.assert_status(200);
    let second = tag(&after);
    assert_ne!(second, first);
    assert_eq!(after.json()["counts"]["declined"], 1);

    // A member renamed: the attendance shows the new name.
    app.patch(
        &format!("/api/v1/members/{}", fixture.titulars[0]),
        sec,
        json!({"last_name": "Renommée"}),
    )
    .await
    .assert_status(200);
    let renamed = conditional(&app, &attendance, sec, &second).await;
    renamed.assert_status(200);
    assert_ne!(tag(&renamed), second);
    let names: Vec<String> = renamed.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["last_name"].as_str().expect("name").to_owned())
        .collect();
    assert!(names.contains(&"Renommée".to_owned()), "{names:?}");
}

async fn a_tag_is_the_callers_own(backend: Backend) {
    let app = TestApp::new(backend).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 10).await;
    let path = format!("/api/v1/meetings/{meeting}/attendance");
    let held = tag(&app.get(&path, &fixture.secretariat).await);

    // A colleague of the same structure: the whole answer, their own tag.
    let (_, colleague) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    let theirs = conditional(&app, &path, &colleague, &held).await;
    theirs.assert_status(200);
    assert_ne!(tag(&theirs), held);

    // A meeting that does not exist: 404, `*` or not.
    conditional(
        &app,
        "/api/v1/meetings/00000000-0000-4000-8000-000000000000/attendance",
        &fixture.secretariat,
        "*",
    )
    .await
    .assert_problem(404);

    // Another structure's secretariat: not found, whatever tag it sends.
    let (_, stranger) = app.secretariat(&fixture.admin, "Préfecture du Cher").await;
    conditional(&app, &path, &stranger, &held)
        .await
        .assert_problem(404);

    // The administrator (every structure) gets the plain answer.
    let plain = conditional(&app, &path, &fixture.admin, &held).await;
    plain.assert_status(200);
    assert!(plain.headers.get(header::ETAG).is_none());
}
