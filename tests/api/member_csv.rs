//! Members from and to CSV, as French spreadsheets write it.

use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(
    haute_marne_registry_imports_from_a_french_spreadsheet,
    a_file_with_bad_lines_imports_nothing_and_names_them,
    dry_run_reports_without_writing,
    reimporting_updates_instead_of_duplicating,
    windows_1252_and_comma_files_import,
    export_round_trips_through_import,
);

pub const HAUTE_MARNE: &[u8] = include_bytes!("../fixtures/registre-haute-marne.csv");

/// The Haute-Marne CLU of 20 December 2023, entered through the API alone:
/// the registry by CSV import, then the committee and its memberships.
pub struct HauteMarne {
    pub secretariat: String,
    pub committee: String,
    pub import_report: Value,
}

pub async fn haute_marne(app: &TestApp) -> HauteMarne {
    let admin = app.admin().await;
    let (_, sec) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let import_report = app
        .post_csv("/api/v1/members/import", &sec, HAUTE_MARNE)
        .await
        .assert_status(200)
        .json();
    let committee = app
        .create(
            "/api/v1/committees",
            &sec,
            json!({"name": "Comité Local des Usagers de la Haute-Marne", "kind": "clu"}),
        )
        .await;
    let members = app.get("/api/v1/members?limit=500", &sec).await.json();
    for member in members["items"].as_array().expect("items") {
        let role = match member["last_name"].as_str() {
            Some("THIRARD") => "chair",
            Some("BÉGUÉ") => "secretary",
            _ => "member",
        };
        app.create(
            &format!("/api/v1/committees/{committee}/memberships"),
            &sec,
            json!({"member_id": member["id"], "role": role}),
        )
        .await;
    }
    HauteMarne {
        secretariat: sec,
        committee,
        import_report,
    }
}

fn by_last_name<'a>(list: &'a Value, last: &str) -> &'a Value {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["last_name"] == last)
        .unwrap_or_else(|| panic!("{last} missing"))
}

async fn haute_marne_registry_imports_from_a_french_spreadsheet(app: TestApp) {
    let HauteMarne {
        secretariat: sec,
        committee,
        import_report: report,
        ..
    } = haute_marne(&app).await;
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["lines"], 15);
    assert_eq!(report["members_created"], 15);
    assert_eq!(
        report["organizations_created"], 13,
        "SRU and the Défenseur des droits appear twice"
    );
    let members = app.get("/api/v1/members?limit=500", &sec).await.json();
    assert_eq!(members["total"], 15);
    let begue = by_last_name(&members, "BÉGUÉ");
    assert_eq!(begue["first_name"], "Mylène");
    assert_eq!(begue["civility"], "Mme");
    assert_eq!(
        begue["function"],
        "Adjointe responsable pôle accueil et appui référent qualité (RQ)"
    );
    assert_eq!(
        begue["organization"]["name"],
        "Service de la Relation aux Usagers (SGCD-SRU)"
    );
    assert_eq!(begue["email"], "mylene.begue@haute-marne.gouv.fr");
    let pouilly = by_last_name(&members, "POUILLY");
    assert!(
        pouilly["organization"]["name"]
            .as_str()
            .expect("org")
            .contains("Représentation de l'État")
    );
    let caullet = by_last_name(&members, "CAULLET");
    assert_eq!(
        caullet["organization"]["id"], begue["organization"]["id"],
        "one organization, matched by name"
    );
    assert_eq!(
        app.get("/api/v1/organizations?limit=500", &sec)
            .await
            .json()["total"],
        13
    );

    // The chair, 13 participants and the excused member.
    let seats = app
        .get(&format!("/api/v1/committees/{committee}/memberships"), &sec)
        .await
        .json();
    assert_eq!(seats["total"], 15);
    assert_eq!(seats["items"][0]["role"], "chair");
    assert_eq!(seats["items"][0]["member"]["last_name"], "THIRARD");
    assert_eq!(
        seats["items"][0]["member"]["function"],
        "Secrétaire Général de la Préfecture de la Haute-Marne"
    );
    assert_eq!(seats["items"][1]["role"], "secretary");
    let krezel = seats["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["member"]["last_name"] == "KREZEL")
        .expect("the excused member");
    assert_eq!(
        krezel["member"]["organization"]["name"],
        "Association des Maires Ruraux de la Haute-Marne"
    );
}

async fn a_file_with_bad_lines_imports_nothing_and_names_them(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let csv = "\u{feff}Civilité;Prénom;Nom;Fonction;Organisation;Courriel;Téléphone\r\n\
               Mme;Élodie;Lefèvre;Présidente;UDAF du Cher;elodie@udaf18.fr;02 48 00 00 01\r\n\
               Dr;Jean;Martin;;UDAF du Cher;;\r\n\
               M.;Luc;Petit;;;luc@;\r\n\
               Mme;Anne;Moreau;;;anne@example.fr;0248\r\n";
    let response = app.post_csv("/api/v1/members/import", &sec, csv).await;
    let problem = response.assert_problem(422);
    let errors: Vec<(u64, String)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().expect("line"),
                e["field"].as_str().expect("field").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "civility".to_owned()),
            (4, "email".to_owned()),
            (5, "phone".to_owned())
        ]
    );
    assert_eq!(
        app.get("/api/v1/members", &sec).await.json()["total"],
        0,
        "not even the good line"
    );
    assert_eq!(
        app.get("/api/v1/organizations", &sec).await.json()["total"],
        0
    );

    let missing_column = app
        .post_csv("/api/v1/members/import", &sec, "Prénom;Nom\nA;B\n")
        .await;
    assert_eq!(missing_column.error_fields(), ["header"]);
    let wrong_type = app
        .post("/api/v1/members/import", &sec, json!({"a": 1}))
        .await;
    wrong_type.assert_problem(415);
    let too_big = app
        .post_csv("/api/v1/members/import", &sec, vec![b'x'; 3 * 1024 * 1024])
        .await;
    too_big.assert_problem(413);
}

async fn dry_run_reports_without_writing(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let report = app
        .post_csv("/api/v1/members/import?dry_run=true", &sec, HAUTE_MARNE)
        .await
        .assert_status(200)
        .json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["members_created"], 15);
    assert_eq!(report["organizations_created"], 13);
    assert_eq!(app.get("/api/v1/members", &sec).await.json()["total"], 0);
    assert_eq!(
        app.get("/api/v1/organizations", &sec).await.json()["total"],
        0
    );
    let audit = app.get("/api/v1/audit?entity=member", &sec).await.json();
    assert_eq!(audit["total"], 0);
}

async fn reimporting_updates_instead_of_duplicating(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    app.post_csv("/api/v1/members/import", &sec, HAUTE_MARNE)
        .await
        .assert_status(200);
    let again = app
        .post_csv("/api/v1/members/import", &sec, HAUTE_MARNE)
        .await
        .assert_status(200)
        .json();
    assert_eq!(again["members_created"], 0);
    assert_eq!(again["members_unchanged"], 15);
    assert_eq!(again["organizations_matched"], 13);
    let changed = "civility;first_name;last_name;function;organization;email;phone\nMme;Mylène;BÉGUÉ;Cheffe du pôle accueil;Service de la Relation aux Usagers (SGCD-SRU);mylene.begue@haute-marne.gouv.fr;03 25 30 22 69\n";
    let report = app
        .post_csv("/api/v1/members/import", &sec, changed)
        .await
        .assert_status(200)
        .json();
    assert_eq!(report["members_updated"], 1);
    let found = app.get("/api/v1/members?q=begue", &sec).await.json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["function"], "Cheffe du pôle accueil");
}

async fn windows_1252_and_comma_files_import(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app.secretariat(&admin, "Préfecture du Cher").await;
    let text = "Civilité;Prénom;Nom;Fonction;Organisation\nMme;Hélène;Léger;Trésorière;Association « Cœur de ville »\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    app.post_csv("/api/v1/members/import", &sec, bytes.into_owned())
        .await
        .assert_status(200);
    let comma = "civility,first_name,last_name,function,organization\nM.,Jean,Dupont,\"Président, fondateur\",UFC\n";
    app.post_csv("/api/v1/members/import", &sec, comma)
        .await
        .assert_status(200);
    let members = app.get("/api/v1/members", &sec).await.json();
    let leger = by_last_name(&members, "Léger");
    assert_eq!(leger["first_name"], "Hélène");
    assert_eq!(
        leger["organization"]["name"],
        "Association « Cœur de ville »"
    );
    assert_eq!(
        by_last_name(&members, "Dupont")["function"],
        "Président, fondateur"
    );
}

async fn export_round_trips_through_import(app: TestApp) {
    let admin = app.admin().await;
    let (_, sec) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    app.post_csv("/api/v1/members/import", &sec, HAUTE_MARNE)
        .await
        .assert_status(200);
    let response = app.get("/api/v1/members.csv", &sec).await;
    response.assert_status(200);
    assert!(response.content_type().starts_with("text/csv"));
    assert!(
        response.body.starts_with(b"\xEF\xBB\xBF"),
        "BOM for spreadsheets"
    );
    let text = response.text();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "civility;first_name;last_name;function;organization;email;phone"
    );
    assert_eq!(lines.len(), 16);
    assert!(lines.contains(&"Mme;Mylène;BÉGUÉ;Adjointe responsable pôle accueil et appui référent qualité (RQ);Service de la Relation aux Usagers (SGCD-SRU);mylene.begue@haute-marne.gouv.fr;03 25 30 22 69"), "{text}");

    // Into another structure, the export recreates the same registry.
    let (_, other) = app.secretariat(&admin, "Préfecture de l'Aube").await;
    let report = app
        .post_csv("/api/v1/members/import", &other, response.body.clone())
        .await
        .assert_status(200)
        .json();
    assert_eq!(report["members_created"], 15);
    let again = app.get("/api/v1/members.csv", &other).await.text();
    assert_eq!(again, text);
}
