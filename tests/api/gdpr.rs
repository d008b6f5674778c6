//! GDPR: export everything about a person; anonymise them so that their
//! name and e-mail appear nowhere in the database, history kept.

use std::process::Command;

use serde_json::json;

use crate::common::{Backend, TestApp, postgres_base_url};
use crate::on_both_backends;

on_both_backends!(
    export_holds_everything_about_the_person,
    anonymisation_erases_the_person_everywhere
);

async fn export_holds_everything_about_the_person(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let org = app
        .create(
            "/api/v1/organizations",
            &sec,
            json!({"name": "UDAF du Cher", "kind": "association"}),
        )
        .await;
    let member = app.create("/api/v1/members", &sec, json!({"civility": "Mme", "first_name": "Odile", "last_name": "Vasseur", "organization_id": org, "email": "odile@example.fr"})).await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLU du Cher", "kind": "clu"}),
        )
        .await;
    let seat = app
        .create(
            &format!("/api/v1/committees/{committee}/memberships"),
            &sec,
            json!({"member_id": member, "role": "member"}),
        )
        .await;
    app.patch(
        &format!("/api/v1/members/{member}"),
        &sec,
        json!({"phone": "02 48 11 22 33"}),
    )
    .await
    .assert_status(200);

    let response = app
        .get(&format!("/api/v1/members/{member}/export"), &sec)
        .await;
    response.assert_status(200);
    assert!(response.headers.get("content-disposition").is_some());
    let export = response.json();
    assert_eq!(export["member"]["email"], "odile@example.fr");
    assert_eq!(export["member"]["phone"], "02 48 11 22 33");
    assert_eq!(export["member"]["organization"]["name"], "UDAF du Cher");
    assert_eq!(export["memberships"][0]["id"], seat.as_str());
    assert_eq!(export["memberships"][0]["committee_name"], "CLU du Cher");
    let actions: Vec<&str> = export["audit_events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        ["member.create", "membership.create", "member.update"]
    );
}

/// Every row of every table, as text.
fn dump(app: &TestApp) -> String {
    match app.backend {
        Backend::Sqlite => {
            let path = app
                .state
                .settings
                .database_url
                .expose()
                .trim_start_matches("sqlite://")
                .to_owned();
            let script = "import sqlite3, sys\nfor line in sqlite3.connect(sys.argv[1]).iterdump(): print(line)";
            let out = Command::new("python3")
                .args(["-c", script, &path])
                .output()
                .expect("python3");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
        Backend::Postgres => {
            let url = app.state.settings.database_url.expose().to_owned();
            let schema = url
                .rsplit("search_path%3D")
                .next()
                .expect("schema")
                .to_owned();
            let out = Command::new("/usr/lib/postgresql/15/bin/pg_dump")
                .args(["--data-only", "--schema", &schema, &postgres_base_url()])
                .output()
                .expect("pg_dump");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
    }
}

async fn anonymisation_erases_the_person_everywhere(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let member = app
        .create(
            "/api/v1/members",
            &sec,
            json!({"civility": "M.", "first_name": "Théodule", "last_name": "Quibergue", "function": "Président de l'amicale", "email": "theodule.quibergue@example.fr", "phone": "06 11 22 33 44"}),
        )
        .await;
    app.patch(
        &format!("/api/v1/members/{member}"),
        &sec,
        json!({"last_name": "Quibergue-Durand"}),
    )
    .await
    .assert_status(200);
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLU", "kind": "clu"}),
        )
        .await;
    let seat = app
        .create(
            &format!("/api/v1/committees/{committee}/memberships"),
            &sec,
            json!({"member_id": member, "role": "member"}),
        )
        .await;
    let before = dump(&app);
    assert!(
        before.contains("Quibergue") && before.contains("theodule.quibergue@example.fr"),
        "the dump sees the data before"
    );

    let anonymised = app
        .post(
            &format!("/api/v1/members/{member}/anonymize"),
            &sec,
            json!({}),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(
        format!(
            "{} {}",
            anonymised["first_name"].as_str().unwrap_or(""),
            anonymised["last_name"].as_str().unwrap_or("")
        )
        .trim(),
        "Membre anonymisé"
    );
    assert!(
        anonymised["email"].is_null()
            && anonymised["phone"].is_null()
            && anonymised["civility"].is_null()
    );
    assert!(anonymised["anonymized_at"].is_string());

    let after = dump(&app);
    for secret in [
        "Quibergue",
        "quibergue",
        "Théodule",
        "theodule",
        "06 11 22 33 44",
        "amicale",
    ] {
        assert!(
            !after.contains(secret),
            "{secret} still in the database dump"
        );
    }
    // The history stays: the seat, and the member reachable by id.
    let seats = app
        .get(&format!("/api/v1/committees/{committee}/memberships"), &sec)
        .await
        .json();
    assert_eq!(seats["items"][0]["id"], seat.as_str());
    assert_eq!(seats["items"][0]["member"]["last_name"], "Membre anonymisé");
    assert!(
        app.get("/api/v1/members?q=quibergue&include_archived=true", &sec)
            .await
            .json()["total"]
            == 0
    );
    app.patch(
        &format!("/api/v1/members/{member}"),
        &sec,
        json!({"first_name": "Retour"}),
    )
    .await
    .assert_problem(409);
    // Anonymising twice changes nothing more.
    app.post(
        &format!("/api/v1/members/{member}/anonymize"),
        &sec,
        json!({}),
    )
    .await
    .assert_status(200);
    assert_eq!(
        app.audit_count(&admin, "member.anonymize", &member).await,
        1
    );
}
