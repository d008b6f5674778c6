//! Meetings: the lifecycle and its 409s, the agenda, the approval of the
//! previous minutes, the convocation letter.

use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::fixtures::{self, Committee};
use crate::on_both_backends;

on_both_backends!(
    lifecycle_allows_only_legal_moves,
    agenda_items_keep_their_order,
    approval_of_previous_minutes_opens_the_agenda,
    convocation_letters_are_printable_french_letters,
    meetings_are_scoped_and_checked,
);

fn titles(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().expect("title").to_owned())
        .collect()
}

async fn lifecycle_allows_only_legal_moves(app: TestApp) {
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let path = format!("/api/v1/meetings/{meeting}");
    assert_eq!(app.get(&path, sec).await.json()["status"], "draft");

    // Not held before it is convened.
    let refused = app
        .post(&format!("{path}/hold"), sec, json!({}))
        .await
        .assert_problem(409);
    assert!(
        refused["detail"]
            .as_str()
            .expect("detail")
            .contains("« draft »"),
        "{refused}"
    );

    app.post(&format!("{path}/invitations"), sec, json!({}))
        .await
        .assert_status(202);
    assert_eq!(app.get(&path, sec).await.json()["status"], "convened");
    app.post(&format!("{path}/hold"), sec, json!({}))
        .await
        .assert_status(200);
    assert_eq!(app.get(&path, sec).await.json()["status"], "held");
    let held = app
        .post(&format!("{path}/cancel"), sec, json!({}))
        .await
        .assert_problem(409);
    assert!(
        held["detail"]
            .as_str()
            .expect("detail")
            .contains("« held »"),
        "{held}"
    );
    app.patch(&path, sec, json!({"location": "Ailleurs"}))
        .await
        .assert_problem(409);
    app.post(&format!("{path}/invitations"), sec, json!({}))
        .await
        .assert_problem(409);

    let other = fixtures::meeting(&app, &fixture, 40).await;
    let other_path = format!("/api/v1/meetings/{other}");
    app.post(&format!("{other_path}/cancel"), sec, json!({}))
        .await
        .assert_status(200);
    for (method, suffix) in [
        ("POST", "/cancel"),
        ("POST", "/hold"),
        ("POST", "/invitations"),
        ("POST", "/reminders"),
    ] {
        let response = app
            .request(
                method.parse().expect("method"),
                &format!("{other_path}{suffix}"),
                Some(sec),
                Some(json!({})),
            )
            .await;
        let problem = response.assert_problem(409);
        assert!(
            problem["detail"]
                .as_str()
                .expect("detail")
                .contains("« cancelled »"),
            "{suffix}: {problem}"
        );
    }
    app.patch(&other_path, sec, json!({"title": "x"}))
        .await
        .assert_problem(409);
    assert_eq!(
        app.audit_count(&fixture.admin, "meeting.cancel", &other)
            .await,
        1
    );
    assert_eq!(
        app.audit_count(&fixture.admin, "meeting.create", &other)
            .await,
        1
    );
}

async fn agenda_items_keep_their_order(app: TestApp) {
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let path = format!("/api/v1/meetings/{meeting}/agenda-items");
    let list = app.get(&path, sec).await.assert_status(200).json();
    assert_eq!(
        titles(&list),
        [
            "Bilan qualité 2022",
            "Résultats des audits",
            "Questions diverses"
        ]
    );
    let first = app
        .create(&path, sec, json!({"title": "Présentation du programme Services Publics+", "position": 1, "presenter": "Mme Mylène BÉGUÉ", "annex_label": "annexe 2"}))
        .await;
    let list = app.get(&path, sec).await.json();
    assert_eq!(
        titles(&list)[0],
        "Présentation du programme Services Publics+"
    );
    let positions: Vec<i64> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["position"].as_i64().expect("position"))
        .collect();
    assert_eq!(positions, [1, 2, 3, 4]);

    let mut ids: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    ids.reverse();
    let reordered = app
        .request(
            "PUT".parse().expect("method"),
            &format!("{path}/order"),
            Some(sec),
            Some(json!({"ids": ids})),
        )
        .await;
    assert_eq!(
        titles(&reordered.assert_status(200).json())[0],
        "Questions diverses"
    );
    let incomplete = app
        .request(
            "PUT".parse().expect("method"),
            &format!("{path}/order"),
            Some(sec),
            Some(json!({"ids": &ids[..2]})),
        )
        .await;
    assert_eq!(incomplete.error_fields(), ["ids"]);

    app.patch(
        &format!("/api/v1/agenda-items/{first}"),
        sec,
        json!({"title": "Services Publics+", "position": 1}),
    )
    .await
    .assert_status(200);
    app.delete(&format!("/api/v1/agenda-items/{}", ids[0]), sec)
        .await
        .assert_status(204);
    let list = app.get(&path, sec).await.json();
    assert_eq!(
        titles(&list),
        [
            "Services Publics+",
            "Résultats des audits",
            "Bilan qualité 2022"
        ]
    );
    let positions: Vec<i64> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["position"].as_i64().expect("position"))
        .collect();
    assert_eq!(positions, [1, 2, 3]);
    let empty = app.post(&path, sec, json!({"title": "  "})).await;
    assert_eq!(empty.error_fields(), ["title"]);
}

/// Marks a meeting's minutes signed straight in the database: the minutes
/// workflow that does it for real is not part of this test.
fn mark_signed(app: &TestApp, meeting: &str) {
    use clu::store::{self, Scope};
    let mut conn = app.state.db.get().expect("conn");
    let mut row = store::meetings::find(&mut conn, &Scope::All, meeting)
        .expect("query")
        .expect("meeting");
    row.status = "minutes_signed".into();
    store::meetings::update(&mut conn, &row).expect("update");
}

async fn approval_of_previous_minutes_opens_the_agenda(app: TestApp) {
    let fixture = fixtures::committee(&app).await;
    let first = fixtures::meeting(&app, &fixture, 10).await;
    let first_date = clu::french::long_date_of(
        chrono::DateTime::parse_from_rfc3339(
            app.get(&format!("/api/v1/meetings/{first}"), &fixture.secretariat)
                .await
                .json()["starts_at"]
                .as_str()
                .expect("date"),
        )
        .expect("rfc3339")
        .with_timezone(&chrono::Utc),
    );
    // No signed minutes yet: no approval item.
    let second = fixtures::meeting(&app, &fixture, 20).await;
    let agenda = app
        .get(
            &format!("/api/v1/meetings/{second}/agenda-items"),
            &fixture.secretariat,
        )
        .await
        .json();
    assert_eq!(titles(&agenda)[0], "Bilan qualité 2022");

    mark_signed(&app, &first);
    let third = fixtures::meeting(&app, &fixture, 30).await;
    let agenda = app
        .get(
            &format!("/api/v1/meetings/{third}/agenda-items"),
            &fixture.secretariat,
        )
        .await
        .json();
    assert_eq!(
        titles(&agenda)[0],
        format!("Approbation du compte-rendu de la réunion du {first_date}")
    );
    assert_eq!(agenda["total"], 4);
    // Removable like any item.
    let approval = agenda["items"][0]["id"].as_str().expect("id");
    app.delete(
        &format!("/api/v1/agenda-items/{approval}"),
        &fixture.secretariat,
    )
    .await
    .assert_status(204);
}

async fn convocation_letters_are_printable_french_letters(app: TestApp) {
    let fixture = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let one = app
        .get(
            &format!(
                "/api/v1/meetings/{meeting}/convocation.html?member_id={}",
                fixture.without_email
            ),
            &fixture.secretariat,
        )
        .await;
    one.assert_status(200);
    assert!(one.content_type().starts_with("text/html"));
    let html = one.text();
    assert!(html.contains("lang=\"fr\""));
    assert!(html.contains("Mme Eva SANSCOURRIEL"), "{html}");
    assert!(html.contains("Salle Louise Michel"));
    assert!(html.contains("de 14h30 à 16h30"));
    assert!(html.contains("Bilan qualité 2022"));
    assert!(html.contains("@page"), "printable");
    let all = app
        .get(
            &format!("/api/v1/meetings/{meeting}/convocation.html"),
            &fixture.secretariat,
        )
        .await
        .text();
    for name in [
        "Anne TITULAIRE",
        "Bruno MARTIN",
        "Eva SANSCOURRIEL",
        "Sophie SUPPLÉANTE",
    ] {
        assert!(all.contains(name), "{name} missing");
    }
}

async fn meetings_are_scoped_and_checked(app: TestApp) {
    let fixture: Committee = fixtures::committee(&app).await;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    let (_, other) = app.secretariat(&fixture.admin, "Préfecture du Cher").await;
    for path in [
        format!("/api/v1/meetings/{meeting}"),
        format!("/api/v1/meetings/{meeting}/agenda-items"),
        format!("/api/v1/meetings/{meeting}/invitations"),
        format!("/api/v1/meetings/{meeting}/attendance"),
        format!("/api/v1/meetings/{meeting}/convocation.html"),
        format!("/api/v1/committees/{}/meetings", fixture.committee),
    ] {
        app.get(&path, &other).await.assert_problem(404);
    }
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &other,
        json!({}),
    )
    .await
    .assert_problem(404);
    app.post(
        &format!("/api/v1/meetings/{meeting}/cancel"),
        &other,
        json!({}),
    )
    .await
    .assert_problem(404);
    let bad = app
        .post(
            &format!("/api/v1/committees/{}/meetings", fixture.committee),
            &fixture.secretariat,
            json!({"title": "", "starts_at": "2031-11-13T14:30:00+01:00", "ends_at": "2031-11-13T14:00:00+01:00", "mode": "visio"}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["mode"]);
    let bad = app
        .post(
            &format!("/api/v1/committees/{}/meetings", fixture.committee),
            &fixture.secretariat,
            json!({"title": "", "starts_at": "2031-11-13T14:30:00+01:00", "ends_at": "2031-11-13T14:00:00+01:00", "mode": "remote"}),
        )
        .await;
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["ends_at", "title"]);
    let (_, reader) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &reader,
        json!({}),
    )
    .await
    .assert_problem(403);
    app.post(
        &format!("/api/v1/meetings/{meeting}/cancel"),
        &reader,
        json!({}),
    )
    .await
    .assert_problem(403);
    app.patch(
        &format!("/api/v1/meetings/{meeting}"),
        &reader,
        json!({"title": "x"}),
    )
    .await
    .assert_problem(403);
    app.get(&format!("/api/v1/meetings/{meeting}"), &reader)
        .await
        .assert_status(200);
}
