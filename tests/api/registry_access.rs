//! Who may touch the registry: another structure sees none of it, readers
//! only read.

use serde_json::json;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    another_structure_sees_nothing_of_the_registry,
    readers_cannot_write_the_registry,
);

async fn another_structure_sees_nothing_of_the_registry(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec_a) = app.secretariat(&admin, "Préfecture du Cher").await;
    let (_, sec_b) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let org = app
        .create(
            "/api/v1/organizations",
            &sec_a,
            json!({"name": "UDAF du Cher", "kind": "association"}),
        )
        .await;
    let member = app.create("/api/v1/members", &sec_a, json!({"civility": "Mme", "first_name": "Anne", "last_name": "A", "organization_id": org})).await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec_a,
            json!({"name": "CLU du Cher", "kind": "clu"}),
        )
        .await;
    let membership = app
        .create(
            &format!("/api/v1/committees/{committee}/memberships"),
            &sec_a,
            json!({"member_id": member, "role": "member"}),
        )
        .await;

    for path in [
        format!("/api/v1/organizations/{org}"),
        format!("/api/v1/members/{member}"),
        format!("/api/v1/members/{member}/export"),
        format!("/api/v1/committees/{committee}"),
        format!("/api/v1/committees/{committee}/memberships"),
    ] {
        app.get(&path, &sec_b).await.assert_problem(404);
    }
    app.patch(
        &format!("/api/v1/organizations/{org}"),
        &sec_b,
        json!({"name": "x"}),
    )
    .await
    .assert_problem(404);
    app.patch(
        &format!("/api/v1/members/{member}"),
        &sec_b,
        json!({"first_name": "x"}),
    )
    .await
    .assert_problem(404);
    app.patch(
        &format!("/api/v1/committees/{committee}"),
        &sec_b,
        json!({"name": "x"}),
    )
    .await
    .assert_problem(404);
    app.patch(
        &format!("/api/v1/memberships/{membership}"),
        &sec_b,
        json!({"role": "chair"}),
    )
    .await
    .assert_problem(404);
    app.delete(&format!("/api/v1/organizations/{org}"), &sec_b)
        .await
        .assert_problem(404);
    app.delete(&format!("/api/v1/members/{member}"), &sec_b)
        .await
        .assert_problem(404);
    app.delete(&format!("/api/v1/memberships/{membership}"), &sec_b)
        .await
        .assert_problem(404);
    app.post(
        &format!("/api/v1/members/{member}/anonymize"),
        &sec_b,
        json!({}),
    )
    .await
    .assert_problem(404);
    app.post(
        &format!("/api/v1/committees/{committee}/memberships"),
        &sec_b,
        json!({"member_id": member, "role": "member"}),
    )
    .await
    .assert_problem(404);
    // B's own committee cannot take A's member either.
    let own = app
        .create(
            "/api/v1/committees",
            &sec_b,
            json!({"name": "CLU 52", "kind": "clu"}),
        )
        .await;
    let foreign = app
        .post(
            &format!("/api/v1/committees/{own}/memberships"),
            &sec_b,
            json!({"member_id": member, "role": "member"}),
        )
        .await;
    assert_eq!(foreign.error_fields(), ["member_id"]);
    let foreign_org = app
        .post(
            "/api/v1/members",
            &sec_b,
            json!({"civility": "M.", "first_name": "B", "last_name": "B", "organization_id": org}),
        )
        .await;
    assert_eq!(foreign_org.error_fields(), ["organization_id"]);

    for path in [
        "/api/v1/organizations",
        "/api/v1/members?include_archived=true",
        "/api/v1/committees",
    ] {
        let list = app.get(path, &sec_b).await.assert_status(200).json();
        let expected = if path == "/api/v1/committees" { 1 } else { 0 };
        assert_eq!(list["total"], expected, "{path}: {list}");
    }
    let csv = app
        .get("/api/v1/members.csv", &sec_b)
        .await
        .assert_status(200)
        .text();
    assert!(!csv.contains("Anne"), "{csv}");
    // Nothing changed for A.
    assert_eq!(
        app.get(&format!("/api/v1/members/{member}"), &sec_a)
            .await
            .json()["first_name"],
        "Anne"
    );
}

async fn readers_cannot_write_the_registry(app: TestApp) {
    let admin = app.admin().await;
    let (structure, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let (_, reader) = app
        .user(&admin, &structure, "reader", "lecteur@clu.test")
        .await;
    let org = app
        .create(
            "/api/v1/organizations",
            &sec,
            json!({"name": "UDAF", "kind": "association"}),
        )
        .await;
    let member = app
        .create(
            "/api/v1/members",
            &sec,
            json!({"civility": "M.", "first_name": "A", "last_name": "B"}),
        )
        .await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLU", "kind": "clu"}),
        )
        .await;
    let membership = app
        .create(
            &format!("/api/v1/committees/{committee}/memberships"),
            &sec,
            json!({"member_id": member, "role": "member"}),
        )
        .await;
    let writes = [
        app.post(
            "/api/v1/organizations",
            &reader,
            json!({"name": "X", "kind": "other"}),
        )
        .await,
        app.patch(
            &format!("/api/v1/organizations/{org}"),
            &reader,
            json!({"name": "X"}),
        )
        .await,
        app.delete(&format!("/api/v1/organizations/{org}"), &reader)
            .await,
        app.post(
            "/api/v1/members",
            &reader,
            json!({"civility": "M.", "first_name": "A", "last_name": "B"}),
        )
        .await,
        app.patch(
            &format!("/api/v1/members/{member}"),
            &reader,
            json!({"first_name": "X"}),
        )
        .await,
        app.delete(&format!("/api/v1/members/{member}"), &reader)
            .await,
        app.post(
            &format!("/api/v1/members/{member}/anonymize"),
            &reader,
            json!({}),
        )
        .await,
        app.get(&format!("/api/v1/members/{member}/export"), &reader)
            .await,
        app.post_csv(
            "/api/v1/members/import",
            &reader,
            "civility;first_name;last_name\nM.;A;B\n",
        )
        .await,
        app.post(
            "/api/v1/committees",
            &reader,
            json!({"name": "X", "kind": "clu"}),
        )
        .await,
        app.patch(
            &format!("/api/v1/committees/{committee}"),
            &reader,
            json!({"name": "X"}),
        )
        .await,
        app.post(
            &format!("/api/v1/committees/{committee}/memberships"),
            &reader,
            json!({"member_id": member, "role": "guest"}),
        )
        .await,
        app.patch(
            &format!("/api/v1/memberships/{membership}"),
            &reader,
            json!({"role": "chair"}),
        )
        .await,
        app.delete(&format!("/api/v1/memberships/{membership}"), &reader)
            .await,
    ];
    for response in writes {
        response.assert_problem(403);
    }
    // Reads are allowed.
    app.get("/api/v1/members", &reader).await.assert_status(200);
    app.get("/api/v1/members.csv", &reader)
        .await
        .assert_status(200);
    app.get(
        &format!("/api/v1/committees/{committee}/memberships"),
        &reader,
    )
    .await
    .assert_status(200);
    assert_eq!(
        app.get(&format!("/api/v1/members/{member}"), &reader)
            .await
            .json()["first_name"],
        "A"
    );
}
