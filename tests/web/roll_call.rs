//! The answers and the roll call through the real app: the whole list in
//! one form, one row by htmx, then the meeting marked held.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::browse::{Browser, attribute, select};
use crate::common::fixtures;
use crate::common::{Backend, TestApp};

#[actix_web::test]
async fn the_roll_call_saves_the_whole_list_or_one_row_then_the_meeting_is_held() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 14).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
    let page = browser.get(&format!("/reunions/{meeting}/presences")).await;
    let html = page.text();
    let names = select(&html, "#appel tbody th");
    assert_eq!(
        names.len(),
        7,
        "five invited, the one convened by letter and the substitute: {names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.contains("SUPPLÉANTE") && n.contains("Suppléant de Bruno MARTIN")),
        "{names:?}"
    );
    let anne = format!("presence-{}", fixture.titulars[0]);
    let eva = format!("presence-{}", fixture.without_email);
    let saved = browser
        .submit(
            &format!("/reunions/{meeting}/presences"),
            &[(&anne, "present"), (&eva, "excused")],
        )
        .await;
    let page = browser.follow(&saved).await;
    let html = page.text();
    assert!(html.contains("2 présences enregistrées"));
    assert!(html.contains("1 présents, 1 excusés, 0 absents"));
    assert_eq!(
        attribute(
            &html,
            &format!("#p-{}-present", fixture.titulars[0]),
            "checked"
        )
        .as_deref(),
        Some("")
    );

    // One row with htmx: the row comes back, saved.
    let bruno = format!("presence-{}", fixture.titulars[1]);
    let csrf = browser.csrf.clone();
    let row = browser
        .send(
            TestRequest::post()
                .uri(&format!(
                    "/reunions/{meeting}/presences/{}",
                    fixture.titulars[1]
                ))
                .insert_header(("HX-Request", "true"))
                .set_form([
                    ("csrf", csrf.as_str()),
                    (anne.as_str(), "absent"),
                    (bruno.as_str(), "absent"),
                ]),
        )
        .await;
    row.assert_status(200);
    let fragment = row.text();
    assert!(fragment.trim_start().starts_with("<tr"), "{fragment}");
    assert!(fragment.contains("Enregistré à"));
    let attendance = app
        .get(
            &format!("/api/v1/meetings/{meeting}/attendance"),
            &fixture.secretariat,
        )
        .await
        .json();
    let presence = |member: &str| {
        attendance["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|e| e["member_id"] == member)
            .map(|e| e["presence"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(presence(&fixture.titulars[1]).as_deref(), Some("absent"));
    assert_eq!(
        presence(&fixture.titulars[0]).as_deref(),
        Some("present"),
        "only the row's own choice is read"
    );

    let bad = browser
        .submit(
            &format!("/reunions/{meeting}/presences"),
            &[(&anne, "peut-être")],
        )
        .await;
    bad.assert_status(422);
    let held = browser
        .submit(&format!("/reunions/{meeting}/tenue"), &[])
        .await;
    let page = browser.follow(&held).await;
    assert!(page.text().contains("marquée comme tenue"));
    assert_eq!(select(&page.text(), "h1 + .fr-badge"), ["tenue"]);
}
