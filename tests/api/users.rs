//! Staff accounts: who may manage whom, structure scoping, audit.

use serde_json::json;

use crate::common::{PASSWORD, TestApp};
use crate::on_both_backends;

on_both_backends!(
    secretariat_manages_users_of_its_own_structure_only,
    readers_and_signatories_cannot_manage_users,
    user_mutations_each_leave_one_audit_event,
    invalid_users_name_each_bad_field,
    duplicate_email_is_a_conflict,
    nobody_disables_or_deletes_themselves,
);

async fn secretariat_manages_users_of_its_own_structure_only(app: TestApp) {
    let admin = app.admin().await;
    let a = app.structure(&admin, "Préfecture du Cher").await;
    let b = app.structure(&admin, "Préfecture de la Haute-Marne").await;
    let (user_a, _) = app.user(&admin, &a, "reader", "reader-a@clu.test").await;
    let (_, sec_b) = app.user(&admin, &b, "secretariat", "sec-b@clu.test").await;

    // Structure A's user does not exist for B's secretariat.
    app.get(&format!("/api/v1/users/{user_a}"), &sec_b)
        .await
        .assert_problem(404);
    app.patch(
        &format!("/api/v1/users/{user_a}"),
        &sec_b,
        json!({"display_name": "x"}),
    )
    .await
    .assert_problem(404);
    app.delete(&format!("/api/v1/users/{user_a}"), &sec_b)
        .await
        .assert_problem(404);
    let list = app
        .get("/api/v1/users", &sec_b)
        .await
        .assert_status(200)
        .json();
    let emails: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["email"].as_str().expect("email"))
        .collect();
    assert_eq!(emails, ["sec-b@clu.test"]);
    assert_eq!(list["total"], 1);

    // A user created without a structure lands in the secretariat's own.
    let created = app
        .post("/api/v1/users", &sec_b, json!({"email": "new-b@clu.test", "display_name": "Nouveau", "role": "reader", "password": PASSWORD}))
        .await
        .assert_status(201)
        .json();
    assert_eq!(created["structure_id"], b.as_str());
    // Naming another structure is refused without saying whether it exists.
    let foreign = app
        .post("/api/v1/users", &sec_b, json!({"email": "x-b@clu.test", "display_name": "X", "role": "reader", "structure_id": a, "password": PASSWORD}))
        .await;
    assert_eq!(foreign.error_fields(), ["structure_id"]);
    // No administrator made by a secretariat.
    app.post("/api/v1/users", &sec_b, json!({"email": "boss@clu.test", "display_name": "X", "role": "admin", "password": PASSWORD}))
        .await
        .assert_problem(403);
}

async fn readers_and_signatories_cannot_manage_users(app: TestApp) {
    let admin = app.admin().await;
    let s = app.structure(&admin, "Préfecture du Cher").await;
    let (target, _) = app.user(&admin, &s, "reader", "target@clu.test").await;
    for role in ["reader", "signatory"] {
        let (_, token) = app
            .user(&admin, &s, role, &format!("{role}@clu.test"))
            .await;
        app.post("/api/v1/users", &token, json!({"email": "n@clu.test", "display_name": "N", "role": "reader", "password": PASSWORD}))
            .await
            .assert_problem(403);
        app.patch(
            &format!("/api/v1/users/{target}"),
            &token,
            json!({"display_name": "changed"}),
        )
        .await
        .assert_problem(403);
        app.delete(&format!("/api/v1/users/{target}"), &token)
            .await
            .assert_problem(403);
        app.get("/api/v1/users", &token).await.assert_problem(403);
        app.get("/api/v1/audit", &token).await.assert_problem(403);
    }
    let still = app
        .get(&format!("/api/v1/users/{target}"), &admin)
        .await
        .json();
    assert_eq!(still["display_name"], "target@clu.test");
}

async fn user_mutations_each_leave_one_audit_event(app: TestApp) {
    let admin = app.admin().await;
    let s = app.structure(&admin, "Préfecture du Cher").await;
    let (id, _) = app.user(&admin, &s, "reader", "u@clu.test").await;
    assert_eq!(app.audit_count(&admin, "user.create", &id).await, 1);
    app.patch(
        &format!("/api/v1/users/{id}"),
        &admin,
        json!({"display_name": "Lecteur", "password": "encore un autre secret"}),
    )
    .await
    .assert_status(200);
    assert_eq!(app.audit_count(&admin, "user.update", &id).await, 1);
    app.delete(&format!("/api/v1/users/{id}"), &admin)
        .await
        .assert_status(204);
    assert_eq!(app.audit_count(&admin, "user.delete", &id).await, 1);

    let events = app
        .get(&format!("/api/v1/audit?entity=user&entity_id={id}"), &admin)
        .await
        .json();
    assert_eq!(events["total"], 3);
    let text = events.to_string();
    assert!(
        !text.contains("encore un autre secret")
            && !text.contains(PASSWORD)
            && !text.contains("argon2"),
        "{text}"
    );
    let update = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "user.update")
        .expect("update");
    assert_eq!(
        update["summary"]["changed"],
        json!(["display_name", "password"])
    );
    assert_eq!(update["actor_email"], "admin@clu.test");
    assert_eq!(update["structure_id"], s.as_str());

    // The structure's secretariat sees its structure's events, not others'.
    let other = app.structure(&admin, "Autre").await;
    let (_, sec) = app.user(&admin, &s, "secretariat", "sec@clu.test").await;
    let seen = app
        .get("/api/v1/audit?limit=500", &sec)
        .await
        .assert_status(200)
        .json();
    assert!(
        seen["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|e| e["structure_id"] == s.as_str())
    );
    assert!(!seen.to_string().contains(&other));
}

async fn invalid_users_name_each_bad_field(app: TestApp) {
    let admin = app.admin().await;
    let s = app.structure(&admin, "Préfecture du Cher").await;
    let response = app
        .post("/api/v1/users", &admin, json!({"email": "nope", "display_name": "", "role": "reader", "structure_id": s, "password": "court"}))
        .await;
    let mut fields = response.error_fields();
    fields.sort();
    assert_eq!(fields, ["display_name", "email", "password"]);
    let bad_role = app
        .post("/api/v1/users", &admin, json!({"email": "a@clu.test", "display_name": "A", "role": "root", "structure_id": s, "password": PASSWORD}))
        .await;
    assert_eq!(bad_role.error_fields(), ["role"]);
    let missing_structure = app
        .post("/api/v1/users", &admin, json!({"email": "a@clu.test", "display_name": "A", "role": "reader", "password": PASSWORD}))
        .await;
    assert_eq!(missing_structure.error_fields(), ["structure_id"]);
    let too_long = app
        .post("/api/v1/users", &admin, json!({"email": "a@clu.test", "display_name": "A", "role": "reader", "structure_id": s, "password": "x".repeat(129)}))
        .await;
    assert_eq!(too_long.error_fields(), ["password"]);
    assert_eq!(
        app.get("/api/v1/users", &admin).await.json()["total"],
        1,
        "only the admin exists"
    );
}

async fn duplicate_email_is_a_conflict(app: TestApp) {
    let admin = app.admin().await;
    let s = app.structure(&admin, "Préfecture du Cher").await;
    app.user(&admin, &s, "reader", "dup@clu.test").await;
    app.post("/api/v1/users", &admin, json!({"email": "DUP@clu.test", "display_name": "D", "role": "reader", "structure_id": s, "password": PASSWORD}))
        .await
        .assert_problem(409);
}

async fn nobody_disables_or_deletes_themselves(app: TestApp) {
    let admin = app.admin().await;
    let s = app.structure(&admin, "Préfecture du Cher").await;
    let (id, sec) = app.user(&admin, &s, "secretariat", "sec@clu.test").await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        &sec,
        json!({"active": false}),
    )
    .await
    .assert_problem(409);
    app.delete(&format!("/api/v1/users/{id}"), &sec)
        .await
        .assert_problem(409);
    app.get("/api/v1/auth/me", &sec).await.assert_status(200);
}
