//! The action plan's screens through the real app over a real SQLite file:
//! the plans list, a committee's plan (empty, then filled, filtered, paged
//! out, exported), an action's form, page, status change and history; and
//! the refusals: no CSRF token, a reader, another structure.

use crate::browse::{Browser, attribute, location, select, select_attr};
use crate::common::fixtures;
use crate::common::{Backend, TestApp};

fn plan(committee: &str) -> String {
    format!("/comites/{committee}/plan-d-action")
}

async fn create(browser: &mut Browser<'_>, committee: &str, fields: &[(&str, &str)]) -> String {
    browser
        .get(&format!("{}/nouvelle", plan(committee)))
        .await
        .assert_status(200);
    let created = browser
        .submit(&format!("{}/nouvelle", plan(committee)), fields)
        .await;
    created.assert_status(303);
    location(&created)
        .trim_start_matches("/plans-d-action/")
        .to_owned()
}

#[actix_web::test]
async fn an_action_is_planned_done_directly_and_its_history_says_who() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;

    let list = browser.get("/plans-d-action").await;
    list.assert_status(200);
    let html = crate::browse::plain(list.text());
    assert_eq!(select(&html, "h1"), ["Plans d’action"]);
    assert!(
        select(&html, "td")
            .iter()
            .any(|c| c.contains("Comité Local des Usagers de la Haute-Marne"))
    );

    let empty = browser.get(&plan(&fixture.committee)).await;
    empty.assert_status(200);
    assert!(
        empty.text().contains("Aucune action pour ce comité"),
        "the empty state says what to do"
    );

    // A refused form keeps what was typed, the error beside its field.
    browser
        .get(&format!("{}/nouvelle", plan(&fixture.committee)))
        .await;
    let refused = browser
        .submit(
            &format!("{}/nouvelle", plan(&fixture.committee)),
            &[
                ("finding", " "),
                ("status", "planned"),
                ("reference", "E6"),
                ("source_survey", "1"),
            ],
        )
        .await;
    refused.assert_status(422);
    let html = crate::browse::plain(refused.text());
    assert_eq!(
        attribute(&html, "#constat", "aria-describedby").as_deref(),
        Some("constat-erreur")
    );
    assert_eq!(
        attribute(&html, "#referentiel", "value").as_deref(),
        Some("E6")
    );
    assert!(
        attribute(&html, "#source-survey", "checked").is_some(),
        "the ticked source stays ticked"
    );

    let first = create(
        &mut browser,
        &fixture.committee,
        &[
            ("number", "1"),
            ("finding", "Affichage des horaires peu lisible"),
            ("reference", "E1 § 1-1"),
            ("source_survey", "1"),
            ("date_survey", "2026-03-15"),
            ("source_local_context", "1"),
            ("date_local_context", ""),
            ("status", "planned"),
            ("due_date", "2030-06-30"),
            ("description", "Refaire les affiches"),
            ("responsible", "DC / BLS"),
            ("effective", ""),
            ("verification", ""),
            ("meeting_id", ""),
        ],
    )
    .await;
    let second = create(
        &mut browser,
        &fixture.committee,
        &[
            ("number", "2"),
            ("finding", "Boucle auditive absente"),
            ("status", "in_progress"),
            ("due_date", "2020-01-31"),
        ],
    )
    .await;

    let page = browser.get(&format!("/plans-d-action/{first}")).await;
    page.assert_status(200);
    let html = crate::browse::plain(page.text());
    assert_eq!(select(&html, "h1"), ["Action n° 1"]);
    assert!(
        html.contains("Enquête de satisfaction (15 mars 2026)"),
        "the dated source"
    );
    let moves = select(&html, "#nouveau-statut option");
    assert_eq!(moves, ["En cours", "Réalisée", "Annulée"]);

    // Done directly from planned.
    let done = browser
        .submit_follow(
            &format!("/plans-d-action/{first}/statut"),
            &[
                ("status", "done"),
                ("completed_on", ""),
                ("cancel_reason", ""),
            ],
        )
        .await;
    done.assert_status(200);
    let html = crate::browse::plain(done.text());
    assert!(
        html.contains("Action passée au statut « Réalisée »"),
        "the flash"
    );
    let timeline = select(&html, ".clu-timeline > li");
    assert_eq!(timeline.len(), 2, "{timeline:?}");
    assert!(
        timeline[0].contains("a modifié l’action")
            && timeline[0].contains("Statut : Prévue → Réalisée"),
        "{timeline:?}"
    );
    assert!(timeline[1].contains("a créé l’action"), "{timeline:?}");

    // Cancelling asks why, beside the field; nothing changes.
    let refused = browser
        .submit(
            &format!("/plans-d-action/{second}/statut"),
            &[("status", "cancelled"), ("cancel_reason", " ")],
        )
        .await;
    refused.assert_status(422);
    let html = crate::browse::plain(refused.text());
    assert_eq!(
        attribute(&html, "#motif", "aria-describedby").as_deref(),
        Some("motif-erreur")
    );
    let cancelled = browser
        .submit_follow(
            &format!("/plans-d-action/{second}/statut"),
            &[
                ("status", "cancelled"),
                ("cancel_reason", "Déjà prévu par la mairie"),
            ],
        )
        .await;
    assert!(cancelled.text().contains("Déjà prévu par la mairie"));

    // The table, its filters and the CSV.
    let table = browser.get(&plan(&fixture.committee)).await;
    let html = crate::browse::plain(table.text());
    let findings = select(&html, "#actions tbody td:nth-child(2)");
    assert_eq!(
        findings,
        [
            "Affichage des horaires peu lisible",
            "Boucle auditive absente"
        ]
    );
    let heads = select(&html, "#actions thead th");
    assert_eq!(heads.len(), 10, "the annex's columns: {heads:?}");
    let done_only = browser
        .get(&format!("{}?statut=done", plan(&fixture.committee)))
        .await;
    assert_eq!(select(&done_only.text(), "#actions tbody tr").len(), 1);
    assert_eq!(
        attribute(&done_only.text(), "a[download]", "href").as_deref(),
        Some(format!("{}.csv?statut=done", plan(&fixture.committee)).as_str())
    );
    let overdue = browser
        .get(&format!("{}?en_retard=1", plan(&fixture.committee)))
        .await;
    assert!(
        overdue
            .text()
            .contains("Aucune action ne correspond à ces filtres"),
        "the cancelled one is not overdue"
    );
    let csv = browser
        .get(&format!("{}.csv", plan(&fixture.committee)))
        .await;
    csv.assert_status(200);
    let text = crate::browse::plain(csv.text());
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .expect("header")
            .starts_with("N°;Constats / écarts / dysfonctionnements;Référentiel")
    );
    let row = lines.next().expect("first row");
    assert!(
        row.starts_with("1;Affichage des horaires peu lisible;E1 § 1-1;X;;X (15/03/2026)"),
        "{row}"
    );

    // Editing keeps the fields, and the history tells the change.
    let form = browser
        .get(&format!("/plans-d-action/{first}/modifier"))
        .await;
    let html = crate::browse::plain(form.text());
    assert_eq!(
        attribute(&html, "#date-survey", "value").as_deref(),
        Some("2026-03-15")
    );
    let saved = browser
        .submit_follow(
            &format!("/plans-d-action/{first}/modifier"),
            &[
                ("number", "1"),
                ("finding", "Affichage des horaires peu lisible"),
                ("source_survey", "1"),
                ("date_survey", "2026-03-15"),
                ("responsible", "DC"),
                ("effective", "oui"),
                ("verification", "Enquête de 2026"),
            ],
        )
        .await;
    let html = crate::browse::plain(saved.text());
    assert!(select(&html, ".clu-timeline > li")[0].contains("Responsable : DC / BLS → DC"));
    assert!(html.contains("Enquête de 2026"));
}

#[actix_web::test]
async fn refusals_without_token_for_a_reader_and_for_another_structure() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let action = app
        .create(
            &format!("/api/v1/committees/{}/actions", fixture.committee),
            &fixture.secretariat,
            serde_json::json!({"number": 1, "finding": "Accueil téléphonique"}),
        )
        .await;
    let posts = [
        format!("{}/nouvelle", plan(&fixture.committee)),
        format!("/plans-d-action/{action}/modifier"),
        format!("/plans-d-action/{action}/statut"),
    ];

    let mut secretariat = Browser::signed_in(&app, &fixture.secretariat_email).await;
    for path in &posts {
        let forged = secretariat
            .post(path, &[("finding", "x"), ("status", "done")])
            .await;
        forged.assert_status(403);
        assert_eq!(
            select(&forged.text(), "h1"),
            ["Formulaire refusé"],
            "{path}"
        );
    }

    app.user(
        &fixture.admin,
        &fixture.structure,
        "reader",
        "lecteur@clu.test",
    )
    .await;
    let mut reader = Browser::signed_in(&app, "lecteur@clu.test").await;
    for path in [
        plan(&fixture.committee),
        format!("/plans-d-action/{action}"),
    ] {
        let page = reader.get(&path).await;
        page.assert_status(200);
        let html = crate::browse::plain(page.text());
        assert!(
            select_attr(&html, "main form[method=post]", "action").is_empty(),
            "{path}: no form for a reader"
        );
        assert!(
            !html.contains("Nouvelle action") && !html.contains("Modifier l’action"),
            "{path}"
        );
    }
    for path in &posts {
        let forged = reader
            .submit(path, &[("finding", "x"), ("status", "done")])
            .await;
        forged.assert_status(403);
        assert_eq!(select(&forged.text(), "h1"), ["Accès refusé"], "{path}");
    }

    let (other, _) = app
        .secretariat(&fixture.admin, "Préfecture de la Meuse")
        .await;
    let mut stranger =
        Browser::signed_in(&app, &format!("secretariat-{}@clu.test", &other[..8])).await;
    for path in [
        plan(&fixture.committee),
        format!("/plans-d-action/{action}"),
        format!("{}.csv", plan(&fixture.committee)),
    ] {
        let page = stranger.get(&path).await;
        page.assert_status(404);
        assert_eq!(select(&page.text(), "h1"), ["Page introuvable"], "{path}");
    }
    for path in &posts {
        let forged = stranger
            .submit(path, &[("finding", "x"), ("status", "done")])
            .await;
        forged.assert_status(404);
    }
    let list = stranger.get("/plans-d-action").await;
    assert!(
        list.text().contains("Aucun comité"),
        "the other structure's committees are not listed"
    );

    let stored = app
        .get(&format!("/api/v1/actions/{action}"), &fixture.secretariat)
        .await
        .json();
    assert_eq!(stored["status"], "planned", "nothing happened");
    assert_eq!(stored["finding"], "Accueil téléphonique");
}
