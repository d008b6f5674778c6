//! Structures: administrators manage them, staff see only their own.

use serde_json::json;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    admin_creates_reads_and_updates_a_structure,
    staff_see_only_their_own_structure,
    only_administrators_change_structures,
    invalid_structures_name_each_bad_field,
);

async fn admin_creates_reads_and_updates_a_structure(app: TestApp) {
    let admin = app.admin().await;
    let id = app.structure(&admin, "Préfecture de la Haute-Marne").await;
    let body = app
        .get(&format!("/api/v1/structures/{id}"), &admin)
        .await
        .assert_status(200)
        .json();
    assert_eq!(body["name"], "Préfecture de la Haute-Marne");
    assert_eq!(body["city"], "Chaumont");
    assert_eq!(body["letterhead"][0], "PRÉFÈTE DE LA HAUTE-MARNE");
    assert_eq!(body["case_officer"]["name"], "Mylène BÉGUÉ");
    assert_eq!(app.audit_count(&admin, "structure.create", &id).await, 1);

    let patched = app
        .patch(
            &format!("/api/v1/structures/{id}"),
            &admin,
            json!({"city": "Saint-Dizier", "case_officer": null}),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(patched["city"], "Saint-Dizier");
    assert_eq!(patched["name"], "Préfecture de la Haute-Marne");
    assert!(patched["case_officer"].is_null());
    assert_eq!(app.audit_count(&admin, "structure.update", &id).await, 1);

    // A patch that changes nothing writes nothing.
    app.patch(
        &format!("/api/v1/structures/{id}"),
        &admin,
        json!({"city": "Saint-Dizier"}),
    )
    .await
    .assert_status(200);
    assert_eq!(app.audit_count(&admin, "structure.update", &id).await, 1);

    let list = app
        .get("/api/v1/structures", &admin)
        .await
        .assert_status(200)
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id.as_str());
}

async fn staff_see_only_their_own_structure(app: TestApp) {
    let admin = app.admin().await;
    let a = app.structure(&admin, "Préfecture du Cher").await;
    let b = app.structure(&admin, "Préfecture de la Haute-Marne").await;
    let (_, secretariat_b) = app.user(&admin, &b, "secretariat", "sec-b@clu.test").await;

    app.get(&format!("/api/v1/structures/{a}"), &secretariat_b)
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/structures/{b}"), &secretariat_b)
        .await
        .assert_status(200);
    let list = app
        .get("/api/v1/structures", &secretariat_b)
        .await
        .assert_status(200)
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], b.as_str());
    // Not an id at all: not found either.
    app.get("/api/v1/structures/not-a-uuid", &secretariat_b)
        .await
        .assert_problem(404);
}

async fn only_administrators_change_structures(app: TestApp) {
    let admin = app.admin().await;
    let id = app.structure(&admin, "Préfecture du Cher").await;
    for role in ["reader", "signatory", "secretariat"] {
        let (_, token) = app
            .user(&admin, &id, role, &format!("{role}@clu.test"))
            .await;
        app.patch(
            &format!("/api/v1/structures/{id}"),
            &token,
            json!({"city": "Bourges"}),
        )
        .await
        .assert_problem(403);
        app.post(
            "/api/v1/structures",
            &token,
            json!({"name": "X", "department_code": "18", "city": "Bourges", "service_name": "SGCD"}),
        )
        .await
        .assert_problem(403);
    }
    assert_eq!(app.audit_count(&admin, "structure.update", &id).await, 0);
}

async fn invalid_structures_name_each_bad_field(app: TestApp) {
    let admin = app.admin().await;
    let response = app
        .post(
            "/api/v1/structures",
            &admin,
            json!({
                "name": "  ",
                "department_code": "99",
                "city": "x".repeat(101),
                "service_name": "SGCD",
                "case_officer": {"email": "pas une adresse"}
            }),
        )
        .await;
    let mut fields = response.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["case_officer.email", "city", "department_code", "name"]
    );
    let list = app.get("/api/v1/structures", &admin).await.json();
    assert_eq!(list["total"], 0, "nothing written");
}
