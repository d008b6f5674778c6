//! Organizations and members: the routes, validation, structure scoping,
//! search and archiving.

use serde_json::{Value, json};

use crate::common::{TestApp, fixtures};
use crate::on_both_backends;

on_both_backends!(
    organizations_and_members_round_trip,
    invalid_registry_input_names_each_field,
    search_ignores_case_accents_and_punctuation,
    member_filters_and_order,
    deleting_what_history_refers_to_archives_it,
    deleting_a_former_committee_member_archives_them,
);

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["last_name"].as_str().unwrap_or("?").to_owned())
        .collect()
}

async fn organizations_and_members_round_trip(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let ufc = app
        .create("/api/v1/organizations", &sec, json!({"name": "UFC « Que Choisir » du Cher", "acronym": "UFC", "kind": "association", "email": "contact@ufc18.fr", "phone": "02 48 00 00 00"}))
        .await;
    let org = app
        .get(&format!("/api/v1/organizations/{ufc}"), &sec)
        .await
        .assert_status(200)
        .json();
    assert_eq!(org["kind"], "association");
    assert_eq!(org["acronym"], "UFC");
    let patched = app
        .patch(
            &format!("/api/v1/organizations/{ufc}"),
            &sec,
            json!({"phone": null}),
        )
        .await
        .assert_status(200)
        .json();
    assert!(patched["phone"].is_null());

    let member = app
        .create(
            "/api/v1/members",
            &sec,
            json!({"civility": "M.", "first_name": " Jean-Paul ", "last_name": "PIERRON", "function": "Président", "organization_id": ufc, "email": "JP.Pierron@Example.fr", "phone": "+33 6 12 34 56 78"}),
        )
        .await;
    let body = app
        .get(&format!("/api/v1/members/{member}"), &sec)
        .await
        .assert_status(200)
        .json();
    assert_eq!(body["first_name"], "Jean-Paul");
    assert_eq!(body["email"], "jp.pierron@example.fr");
    assert_eq!(body["phone"], "+33 6 12 34 56 78", "stored as given");
    assert_eq!(body["organization"]["name"], "UFC « Que Choisir » du Cher");
    let patched = app
        .patch(
            &format!("/api/v1/members/{member}"),
            &sec,
            json!({"function": "Vice-président", "email": null}),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(patched["function"], "Vice-président");
    assert!(patched["email"].is_null());
    assert_eq!(app.audit_count(&admin, "member.create", &member).await, 1);
    assert_eq!(app.audit_count(&admin, "member.update", &member).await, 1);
    assert_eq!(
        app.audit_count(&admin, "organization.create", &ufc).await,
        1
    );
    assert_eq!(
        app.audit_count(&admin, "organization.update", &ufc).await,
        1
    );
    // Audit summaries name fields, never the person's data.
    let events = app
        .get(&format!("/api/v1/audit?entity_id={member}"), &admin)
        .await
        .json()
        .to_string();
    assert!(
        !events.contains("PIERRON") && !events.contains("pierron"),
        "{events}"
    );
    // A period: `since` from, `until` before.
    let instant = |hours: i64| {
        (app.state.clock.now() + chrono::Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let total = |query: String| {
        let path = format!("/api/v1/audit?entity_id={member}&{query}");
        let app = &app;
        let admin = &admin;
        async move { app.get(&path, admin).await.assert_status(200).json()["total"].clone() }
    };
    let all = total(String::new()).await;
    assert!(all.as_i64().unwrap_or_default() > 0, "{all}");
    assert_eq!(
        total(format!("since={}&until={}", instant(-1), instant(1))).await,
        all
    );
    assert_eq!(total(format!("until={}", instant(-1))).await, 0);
    assert_eq!(total(format!("since={}", instant(1))).await, 0);

    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLU du Cher", "kind": "clu"}),
        )
        .await;
    let renamed = app
        .patch(
            &format!("/api/v1/committees/{committee}"),
            &sec,
            json!({"description": "Comité local des usagers"}),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(renamed["description"], "Comité local des usagers");
    assert_eq!(app.get("/api/v1/committees", &sec).await.json()["total"], 1);

    // Plain deletes where nothing refers to the record.
    let lone = app
        .create(
            "/api/v1/members",
            &sec,
            json!({"civility": "Mme", "first_name": "A", "last_name": "B"}),
        )
        .await;
    app.delete(&format!("/api/v1/members/{lone}"), &sec)
        .await
        .assert_status(204);
    app.get(&format!("/api/v1/members/{lone}"), &sec)
        .await
        .assert_problem(404);
    let lone_org = app
        .create(
            "/api/v1/organizations",
            &sec,
            json!({"name": "Vide", "kind": "other"}),
        )
        .await;
    app.delete(&format!("/api/v1/organizations/{lone_org}"), &sec)
        .await
        .assert_status(204);
    app.get(&format!("/api/v1/organizations/{lone_org}"), &sec)
        .await
        .assert_problem(404);
}

async fn invalid_registry_input_names_each_field(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let bad_member = app
        .post(
            "/api/v1/members",
            &sec,
            json!({"civility": "M.", "first_name": "", "last_name": "x".repeat(101), "email": "pas@", "phone": "12 34", "organization_id": "00000000-0000-4000-8000-000000000000"}),
        )
        .await;
    let mut fields = bad_member.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "email",
            "first_name",
            "last_name",
            "organization_id",
            "phone"
        ]
    );
    let bad_civility = app
        .post(
            "/api/v1/members",
            &sec,
            json!({"civility": "Dr", "first_name": "A", "last_name": "B"}),
        )
        .await;
    assert_eq!(bad_civility.error_fields(), ["civility"]);
    let bad_kind = app
        .post(
            "/api/v1/organizations",
            &sec,
            json!({"name": "X", "kind": "club"}),
        )
        .await;
    assert_eq!(bad_kind.error_fields(), ["kind"]);
    let bad_org = app
        .post(
            "/api/v1/organizations",
            &sec,
            json!({"name": " ", "kind": "other", "email": "x", "phone": "abc"}),
        )
        .await;
    let mut fields = bad_org.error_fields();
    fields.sort();
    assert_eq!(fields, ["email", "name", "phone"]);
    let bad_committee = app
        .post(
            "/api/v1/committees",
            &sec,
            json!({"name": "", "kind": "clu"}),
        )
        .await;
    assert_eq!(bad_committee.error_fields(), ["name"]);
    let bad_committee_kind = app
        .post(
            "/api/v1/committees",
            &sec,
            json!({"name": "C", "kind": "cla"}),
        )
        .await;
    assert_eq!(bad_committee_kind.error_fields(), ["kind"]);
    app.create(
        "/api/v1/organizations",
        &sec,
        json!({"name": "Défenseur des Droits", "kind": "institution"}),
    )
    .await;
    app.post(
        "/api/v1/organizations",
        &sec,
        json!({"name": "DÉFENSEUR des droits", "kind": "institution"}),
    )
    .await
    .assert_problem(409);
    assert_eq!(
        app.get("/api/v1/members", &sec).await.json()["total"],
        0,
        "nothing written"
    );
}

async fn search_ignores_case_accents_and_punctuation(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let ufc = app
        .create(
            "/api/v1/organizations",
            &sec,
            json!({"name": "UFC « Que Choisir » du Cher", "kind": "association"}),
        )
        .await;
    let udaf = app.create("/api/v1/organizations", &sec, json!({"name": "Union départementale des associations familiales", "acronym": "UDAF", "kind": "association"})).await;
    app.create(
        "/api/v1/members",
        &sec,
        json!({"civility": "Mme", "first_name": "Mylène", "last_name": "BÉGUÉ"}),
    )
    .await;
    app.create("/api/v1/members", &sec, json!({"civility": "M.", "first_name": "Jean", "last_name": "Dupont", "organization_id": ufc})).await;
    app.create("/api/v1/members", &sec, json!({"civility": "Mme", "first_name": "Élise", "last_name": "Martin", "organization_id": udaf})).await;
    let search = async |q: &str| {
        let path = format!("/api/v1/members?q={}", encode(q));
        names(&app.get(&path, &sec).await.assert_status(200).json())
    };
    assert_eq!(search("begue").await, ["BÉGUÉ"]);
    assert_eq!(search("BEGUE").await, ["BÉGUÉ"]);
    assert_eq!(search("mylène").await, ["BÉGUÉ"]);
    assert_eq!(search("que choisir").await, ["Dupont"]);
    assert_eq!(search("« Que-Choisir »").await, ["Dupont"]);
    assert_eq!(search("udaf").await, ["Martin"]);
    assert_eq!(search("elise udaf").await, ["Martin"]);
    assert_eq!(search("jean choisir").await, ["Dupont"]);
    assert!(search("jean udaf").await.is_empty());
    assert_eq!(search("%_").await.len(), 3, "no LIKE wildcard gets through");
    let orgs = app
        .get("/api/v1/organizations?q=QUE%20CHOISIR", &sec)
        .await
        .json();
    assert_eq!(orgs["total"], 1);
}

async fn member_filters_and_order(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let ufc = app
        .create(
            "/api/v1/organizations",
            &sec,
            json!({"name": "UFC", "kind": "association"}),
        )
        .await;
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "CLU", "kind": "clu"}),
        )
        .await;
    let mut ids = Vec::new();
    for (first, last, org) in [
        ("Zoé", "Bernard", true),
        ("Anne", "Bernard", false),
        ("Paul", "Albert", true),
        ("Luc", "Colin", false),
    ] {
        let mut body = json!({"civility": "M.", "first_name": first, "last_name": last});
        if org {
            body["organization_id"] = json!(ufc);
        }
        ids.push(app.create("/api/v1/members", &sec, body).await);
    }
    app.create(
        &format!("/api/v1/committees/{committee}/memberships"),
        &sec,
        json!({"member_id": ids[3], "role": "member"}),
    )
    .await;
    let all = app.get("/api/v1/members", &sec).await.json();
    let order: Vec<String> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            format!(
                "{} {}",
                m["last_name"].as_str().unwrap_or(""),
                m["first_name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        order,
        ["Albert Paul", "Bernard Anne", "Bernard Zoé", "Colin Luc"]
    );
    assert_eq!(
        names(
            &app.get(&format!("/api/v1/members?organization_id={ufc}"), &sec)
                .await
                .json()
        ),
        ["Albert", "Bernard"]
    );
    assert_eq!(
        names(
            &app.get(&format!("/api/v1/members?committee_id={committee}"), &sec)
                .await
                .json()
        ),
        ["Colin"]
    );
    let page = app
        .get("/api/v1/members?limit=2&offset=1", &sec)
        .await
        .json();
    assert_eq!(page["total"], 4);
    assert_eq!(names(&page), ["Bernard", "Bernard"]);
}

async fn deleting_what_history_refers_to_archives_it(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let org = app
        .create(
            "/api/v1/organizations",
            &sec,
            json!({"name": "UDAF", "kind": "association"}),
        )
        .await;
    let member = app.create("/api/v1/members", &sec, json!({"civility": "M.", "first_name": "Paul", "last_name": "Archive", "organization_id": org})).await;
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
            json!({"member_id": member, "role": "member", "since": "2021-01-01"}),
        )
        .await;

    let archived = app
        .delete(&format!("/api/v1/members/{member}"), &sec)
        .await
        .assert_status(200)
        .json();
    assert!(archived["archived_at"].is_string());
    let org_archived = app
        .delete(&format!("/api/v1/organizations/{org}"), &sec)
        .await
        .assert_status(200)
        .json();
    assert!(org_archived["archived_at"].is_string());
    assert_eq!(app.audit_count(&admin, "member.archive", &member).await, 1);

    // Hidden from lists, kept for history.
    assert_eq!(app.get("/api/v1/members", &sec).await.json()["total"], 0);
    assert_eq!(
        app.get("/api/v1/organizations", &sec).await.json()["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/members?include_archived=true", &sec)
            .await
            .json()["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/organizations?include_archived=true", &sec)
            .await
            .json()["total"],
        1
    );
    let kept = app
        .get(&format!("/api/v1/members/{member}"), &sec)
        .await
        .assert_status(200)
        .json();
    assert_eq!(kept["last_name"], "Archive");
    assert_eq!(kept["organization"]["name"], "UDAF");
    let memberships = app
        .get(&format!("/api/v1/committees/{committee}/memberships"), &sec)
        .await
        .json();
    assert_eq!(memberships["items"][0]["id"], membership.as_str());
    assert_eq!(memberships["items"][0]["member"]["last_name"], "Archive");
    // An archived organization takes no new members; restoring it does.
    let refused = app
        .post(
            "/api/v1/members",
            &sec,
            json!({"civility": "M.", "first_name": "N", "last_name": "N", "organization_id": org}),
        )
        .await;
    assert_eq!(refused.error_fields(), ["organization_id"]);
    app.patch(
        &format!("/api/v1/organizations/{org}"),
        &sec,
        json!({"archived": false}),
    )
    .await
    .assert_status(200);
    app.create(
        "/api/v1/members",
        &sec,
        json!({"civility": "M.", "first_name": "N", "last_name": "N", "organization_id": org}),
    )
    .await;
}

/// Invitations and the meetings a member chairs outlive their membership:
/// deleting the member afterwards archives them (it used to be a 409 from
/// the database's foreign keys).
async fn deleting_a_former_committee_member_archives_them(app: TestApp) {
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let meeting = fixtures::meeting(&app, &fixture, 30).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        sec,
        json!({}),
    )
    .await
    .assert_status(202);
    let memberships = app
        .get(
            &format!("/api/v1/committees/{}/memberships", fixture.committee),
            sec,
        )
        .await
        .json();
    // The chair, and an invited titular without a substitute.
    for member in [&fixture.titulars[0], &fixture.titulars[2]] {
        for item in memberships["items"].as_array().expect("items") {
            if item["member_id"] == member.as_str() {
                let id = item["id"].as_str().expect("id");
                app.delete(&format!("/api/v1/memberships/{id}"), sec)
                    .await
                    .assert_status(204);
            }
        }
        let archived = app
            .delete(&format!("/api/v1/members/{member}"), sec)
            .await
            .assert_status(200)
            .json();
        assert!(archived["archived_at"].is_string(), "{archived}");
    }
}
