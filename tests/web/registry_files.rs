//! The registry's files through the real application: the Haute-Marne CSV
//! checked line by line then imported, a bad line refused, the CSV export,
//! the GDPR export and the anonymisation.

use serde_json::{Value, json};

use crate::browse::{Browser, attribute, location, select};
use crate::common::{Backend, TestApp};
use crate::registry::{HAUTE_MARNE, member, members_of, one_h1_and_title, registry, upload};

#[actix_web::test]
async fn the_haute_marne_registry_is_checked_then_imported() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    let html = browser.get("/registre/import").await.text();
    one_h1_and_title(&html, "Importer un fichier CSV");
    assert_eq!(
        attribute(
            &html,
            "form[action='/registre/import/verification']",
            "enctype"
        )
        .as_deref(),
        Some("multipart/form-data")
    );
    assert_eq!(
        select(&html, "label[for=fichier]")[0],
        "Fichier CSVFormat .csv, 2 Mo au plus."
    );
    assert_eq!(
        select(&html, "main form button[type=submit]"),
        ["Vérifier le fichier"]
    );

    let csrf = browser.csrf.clone();
    let checked = browser
        .send(upload(Some(&csrf), "registre.csv", "text/csv", HAUTE_MARNE))
        .await;
    checked.assert_status(200);
    let html = checked.text();
    one_h1_and_title(&html, "Vérification du fichier");
    let lines = select(&html, "#lignes tbody tr");
    assert_eq!(lines.len(), 15, "{lines:?}");
    assert!(
        lines[0].starts_with('2') && lines[0].contains("Guillaume THIRARD"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("Sera ajouté"), "{}", lines[0]);
    assert_eq!(
        select(&html, "form[action='/registre/import'] button"),
        ["Importer 15 membres"]
    );
    assert!(
        members_of(&app, &reg.token).await.is_empty(),
        "a check writes nothing"
    );

    let content = attribute(&html, "input[name=contenu]", "value").expect("file carried");
    let csrf = browser.csrf.clone();
    let imported = browser
        .post(
            "/registre/import",
            &[("csrf", &csrf), ("contenu", &content)],
        )
        .await;
    imported.assert_status(303);
    assert_eq!(location(&imported), "/registre/membres?importe=15");
    let html = browser.get(location(&imported)).await.text();
    assert_eq!(
        select(&html, ".fr-alert--success p"),
        ["Import terminé : 15 membres importés."]
    );
    assert_eq!(select(&html, "#nombre-membres"), ["15 membres"]);
    assert_eq!(members_of(&app, &reg.token).await.len(), 15);

    // Checked again, the same file only updates (nothing to add).
    let csrf = browser.csrf.clone();
    let html = browser
        .send(upload(
            Some(&csrf),
            "registre.csv",
            "application/vnd.ms-excel",
            HAUTE_MARNE,
        ))
        .await
        .text();
    assert!(
        select(&html, "#lignes tbody tr")
            .iter()
            .all(|l| l.contains("Déjà à jour")),
        "{html}"
    );
}

#[actix_web::test]
async fn a_file_with_a_bad_line_shows_it_and_offers_no_import() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    browser.get("/registre/import").await.assert_status(200);
    let csv = "Civilité;Prénom;Nom;Courriel\nMme;Anne;Titulaire;anne@example.fr\nDr;Bruno;;pas-une-adresse\n";
    let csrf = browser.csrf.clone();
    let response = browser
        .send(upload(
            Some(&csrf),
            "registre.csv",
            "text/csv",
            csv.as_bytes(),
        ))
        .await;
    response.assert_status(422);
    let html = response.text();
    let refused = select(&html, "#refus tbody tr");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].starts_with('3'), "{}", refused[0]);
    assert!(refused[0].contains("Civilité"), "{}", refused[0]);
    assert!(refused[0].contains("Nom"), "{}", refused[0]);
    assert!(
        select(&html, "form[action='/registre/import']").is_empty(),
        "no import button"
    );
    assert!(members_of(&app, &reg.token).await.is_empty());

    // Not a CSV: said next to the file field.
    let csrf = browser.csrf.clone();
    let response = browser
        .send(upload(
            Some(&csrf),
            "registre.pdf",
            "application/pdf",
            b"%PDF",
        ))
        .await;
    response.assert_status(422);
    let html = response.text();
    assert_eq!(
        attribute(&html, "input#fichier", "aria-describedby").as_deref(),
        Some("fichier-erreur")
    );
    assert!(select(&html, "#fichier-erreur")[0].contains("n’est pas un fichier CSV"));
}

#[actix_web::test]
async fn the_registry_is_exported_as_csv_for_readers_too() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    member(&app, &reg.token, json!({"civility": "M.", "first_name": "Bruno", "last_name": "Martin", "email": "bruno.martin@example.fr"})).await;
    app.user(&reg.admin, &reg.structure, "reader", "lecteur@clu.test")
        .await;
    for email in [reg.email.as_str(), "lecteur@clu.test"] {
        let mut browser = Browser::signed_in(&app, email).await;
        let html = browser.get("/registre/membres").await.text();
        assert!(select(&html, "a[href='/registre/membres.csv']")[0].contains("Exporter en CSV"));
        let response = browser.get("/registre/membres.csv").await;
        response.assert_status(200);
        assert!(response.content_type().starts_with("text/csv"));
        let disposition = response
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        let text = response.text();
        assert!(
            text.contains("Martin") && text.contains("bruno.martin@example.fr"),
            "{text}"
        );
    }
}

#[actix_web::test]
async fn gdpr_export_and_anonymisation_after_saying_what_is_erased() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let id = member(&app, &reg.token, json!({"civility": "M.", "first_name": "Denis", "last_name": "Petit", "email": "denis.petit@example.fr", "phone": "03 25 00 00 00", "function": "Trésorier"})).await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    let html = browser.get(&format!("/registre/membres/{id}")).await.text();
    assert_eq!(
        select(&html, "main .fr-btns-group a"),
        [
            "Modifier",
            "Archiver ou supprimer",
            "Exporter les données (RGPD)",
            "Anonymiser"
        ]
    );

    let export = browser
        .get(&format!("/registre/membres/{id}/donnees"))
        .await;
    export.assert_status(200);
    assert_eq!(export.json()["member"]["email"], "denis.petit@example.fr");
    assert!(
        export
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment")),
    );

    let html = browser
        .get(&format!("/registre/membres/{id}/anonymiser"))
        .await
        .text();
    one_h1_and_title(&html, "Anonymiser M. Denis PETIT");
    let erased = select(&html, "#efface")[0].clone();
    for what in [
        "prénom et le nom",
        "fonction",
        "adresse e-mail et le téléphone",
    ] {
        assert!(erased.contains(what), "{what}: {erased}");
    }
    assert!(select(&html, "#garde")[0].contains("historique"));
    let csrf = browser.csrf.clone();
    let done = browser
        .post(
            &format!("/registre/membres/{id}/anonymiser"),
            &[("csrf", &csrf)],
        )
        .await;
    done.assert_status(303);
    assert_eq!(
        location(&done),
        format!("/registre/membres/{id}?anonymise=1")
    );
    let html = browser.get(location(&done)).await.text();
    one_h1_and_title(&html, "Membre anonymisé");
    assert!(select(&html, ".fr-alert--success p")[0].contains("effacées"));
    assert!(!html.contains("denis.petit@example.fr"));
    let now = app
        .get(&format!("/api/v1/members/{id}"), &reg.token)
        .await
        .json();
    assert_eq!(now["email"], Value::Null);
    assert_eq!(now["phone"], Value::Null);
}
