//! Memberships: roles, dates, and substitutes (suppléants) paired with their
//! titular.

use serde_json::json;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    memberships_pair_titulars_and_substitutes,
    membership_rules_are_checked
);

async fn member(app: &TestApp, token: &str, first: &str, last: &str) -> String {
    app.create(
        "/api/v1/members",
        token,
        json!({"civility": "Mme", "first_name": first, "last_name": last}),
    )
    .await
}

async fn memberships_pair_titulars_and_substitutes(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLU du Cher", "kind": "clu"}),
        )
        .await;
    let path = format!("/api/v1/committees/{committee}/memberships");
    let chair = member(&app, &sec, "Guillaume", "Thirard").await;
    let titular = member(&app, &sec, "Anne", "Titulaire").await;
    let substitute = member(&app, &sec, "Sophie", "Suppléante").await;
    let former = member(&app, &sec, "Paul", "Ancien").await;

    app.create(
        &path,
        &sec,
        json!({"member_id": chair, "role": "chair", "since": "2020-01-01"}),
    )
    .await;
    let titular_seat = app
        .create(&path, &sec, json!({"member_id": titular, "role": "member"}))
        .await;
    let substitute_seat = app
        .create(
            &path,
            &sec,
            json!({"member_id": substitute, "role": "member", "substitute_for": titular_seat}),
        )
        .await;
    app.create(&path, &sec, json!({"member_id": former, "role": "member", "since": "2015-01-01", "until": "2019-12-31"})).await;

    let list = app.get(&path, &sec).await.assert_status(200).json();
    let items = list["items"].as_array().expect("items");
    assert_eq!(list["total"], 4);
    assert_eq!(items[0]["role"], "chair", "the chair comes first");
    assert_eq!(items[0]["member"]["last_name"], "Thirard");
    let seat = |id: &str| items.iter().find(|m| m["id"] == id).expect("seat").clone();
    assert_eq!(
        seat(&titular_seat)["substitute_id"],
        substitute_seat.as_str()
    );
    assert_eq!(
        seat(&substitute_seat)["substitute_for"],
        titular_seat.as_str()
    );
    assert!(seat(&titular_seat)["substitute_for"].is_null());
    let current = app.get(&format!("{path}?current=true"), &sec).await.json();
    assert_eq!(
        current["total"], 3,
        "the former member's seat ended in 2019"
    );

    // Removing the titular's seat unpairs the substitute.
    app.delete(&format!("/api/v1/memberships/{titular_seat}"), &sec)
        .await
        .assert_status(204);
    let after = app.get(&path, &sec).await.json();
    let substitute_now = after["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["id"] == substitute_seat.as_str())
        .expect("seat")
        .clone();
    assert!(substitute_now["substitute_for"].is_null());
    assert_eq!(
        app.audit_count(&admin, "membership.delete", &titular_seat)
            .await,
        1
    );

    let changed = app
        .patch(
            &format!("/api/v1/memberships/{substitute_seat}"),
            &sec,
            json!({"role": "secretary", "until": "2031-12-31"}),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(changed["role"], "secretary");
    assert_eq!(changed["until"], "2031-12-31");
    assert_eq!(
        app.audit_count(&admin, "membership.update", &substitute_seat)
            .await,
        1
    );
}

async fn membership_rules_are_checked(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLU", "kind": "clu"}),
        )
        .await;
    let other = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLAC", "kind": "clac"}),
        )
        .await;
    let path = format!("/api/v1/committees/{committee}/memberships");
    let a = member(&app, &sec, "A", "A").await;
    let b = member(&app, &sec, "B", "B").await;
    let c = member(&app, &sec, "C", "C").await;
    let seat_a = app
        .create(&path, &sec, json!({"member_id": a, "role": "member"}))
        .await;
    let seat_b = app
        .create(
            &path,
            &sec,
            json!({"member_id": b, "role": "member", "substitute_for": seat_a}),
        )
        .await;
    let elsewhere = app
        .create(
            &format!("/api/v1/committees/{other}/memberships"),
            &sec,
            json!({"member_id": c, "role": "member"}),
        )
        .await;

    let cases = [
        (
            json!({"member_id": c, "role": "member", "substitute_for": seat_a}),
            "substitute_for",
            "second substitute",
        ),
        (
            json!({"member_id": c, "role": "member", "substitute_for": seat_b}),
            "substitute_for",
            "substitute of a substitute",
        ),
        (
            json!({"member_id": c, "role": "member", "substitute_for": elsewhere}),
            "substitute_for",
            "other committee",
        ),
        (
            json!({"member_id": c, "role": "member", "since": "2024-01-01", "until": "2023-01-01"}),
            "until",
            "dates reversed",
        ),
        (
            json!({"member_id": c, "role": "boss"}),
            "role",
            "unknown role",
        ),
        (
            json!({"member_id": "00000000-0000-4000-8000-000000000000", "role": "member"}),
            "member_id",
            "unknown member",
        ),
        (
            json!({"member_id": c, "role": "member", "since": "31/12/2024"}),
            "since",
            "not a date",
        ),
    ];
    for (body, field, case) in cases {
        let response = app.post(&path, &sec, body).await;
        assert_eq!(response.error_fields(), [field], "{case}");
    }
    let self_sub = app
        .patch(
            &format!("/api/v1/memberships/{seat_a}"),
            &sec,
            json!({"substitute_for": seat_a}),
        )
        .await;
    assert_eq!(self_sub.error_fields(), ["substitute_for"]);
    assert_eq!(
        app.get(&path, &sec).await.json()["total"],
        2,
        "nothing written"
    );
}
