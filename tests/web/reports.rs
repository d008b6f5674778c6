//! The indicators' page and the annual report through the real app over a
//! real SQLite file: the legend, an indicator created and its value banded,
//! the report's charts (accessible SVG) beside their figures; and the
//! refusals: no CSRF token, a reader, another structure.

use crate::browse::{Browser, attribute, location, select, select_attr};
use crate::common::fixtures;
use crate::common::{Backend, TestApp};

fn indicators(committee: &str) -> String {
    format!("/comites/{committee}/indicateurs")
}

#[actix_web::test]
async fn an_indicator_is_created_its_value_banded_and_the_report_draws_it() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;

    let page = browser.get(&indicators(&fixture.committee)).await;
    page.assert_status(200);
    let html = crate::browse::plain(page.text());
    assert!(html.contains("Aucun indicateur"), "the empty state");
    assert_eq!(
        select(&html, ".clu-legend li").len(),
        4,
        "the legend's four bands"
    );

    let refused = browser
        .submit(
            &indicators(&fixture.committee),
            &[
                ("name", "Délai"),
                ("unit", "days"),
                ("direction", "lower_is_better"),
                ("target", "trente"),
            ],
        )
        .await;
    refused.assert_status(422);
    let html = crate::browse::plain(refused.text());
    assert_eq!(
        attribute(&html, "#cible", "aria-describedby").as_deref(),
        Some("cible-erreur")
    );
    assert_eq!(
        attribute(&html, "#nom-indicateur", "value").as_deref(),
        Some("Délai")
    );

    let created = browser
        .submit(
            &indicators(&fixture.committee),
            &[
                ("name", "Taux d’appels décrochés"),
                ("unit", "percent"),
                ("direction", "higher_is_better"),
                ("target", "90"),
            ],
        )
        .await;
    created.assert_status(303);
    let id = location(&created)
        .rsplit("#indicateur-")
        .next()
        .expect("anchor")
        .to_owned();
    browser.follow(&created).await.assert_status(200);
    let path = format!("{}/{id}/valeurs", indicators(&fixture.committee));
    let refused = browser
        .submit(&path, &[("period", "2026"), ("value", "beaucoup")])
        .await;
    refused.assert_status(422);
    assert!(select(&refused.text(), &format!("#valeur-{id}-erreur"))[0].contains("Un nombre"));
    let year = app.state.clock.today().format("%Y").to_string();
    let page = browser
        .submit_follow(&path, &[("period", &year), ("value", "60,5")])
        .await;
    let html = crate::browse::plain(page.text());
    let cells = select(&html, &format!("#indicateur-{id} tbody td"));
    assert_eq!(cells[1], "60,5 %");
    assert_eq!(
        cells[3],
        "résultat avec un écart compris entre 25 % et 50 % de la cible"
    );
    assert_eq!(
        select_attr(&html, &format!("#indicateur-{id} tbody .clu-band"), "class"),
        ["clu-band clu-band--gap_25_to_50"]
    );

    let years = browser
        .get(&format!("/comites/{}/bilan", fixture.committee))
        .await;
    years.assert_status(200);
    let report_href = format!("/comites/{}/bilan/{year}", fixture.committee);
    assert!(select_attr(&years.text(), "main a", "href").contains(&report_href));
    let report = browser.get(&report_href).await;
    report.assert_status(200);
    let html = crate::browse::plain(report.text());
    assert_eq!(
        select(&html, "h1"),
        [format!(
            "Bilan annuel {year} — Comité Local des Usagers de la Haute-Marne"
        )]
    );
    assert_eq!(select(&html, "svg[role=img]").len(), 3);
    assert_eq!(
        attribute(&html, "#figure-indicateurs svg", "aria-labelledby").as_deref(),
        Some("graphique-indicateurs-titre graphique-indicateurs-desc")
    );
    assert_eq!(
        select(&html, "#graphique-indicateurs-titre"),
        [format!("Indicateurs {year} comparés à leur cible")]
    );
    assert!(
        select(&html, "#figure-indicateurs text")
            .iter()
            .any(|t| t.contains("60,5 % (cible 90 %) — écart 25 à 50 %"))
    );
    assert_eq!(select(&html, "#indicateurs-chiffres tbody td")[1], "60,5 %");

    let bad = browser
        .get(&format!("/comites/{}/bilan/1999", fixture.committee))
        .await;
    bad.assert_status(422);
}

#[actix_web::test]
async fn refusals_without_token_for_a_reader_and_for_another_structure() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let indicator = app
        .create(
            &format!("/api/v1/committees/{}/indicators", fixture.committee),
            &fixture.secretariat,
            serde_json::json!({"name": "Délai de délivrance", "unit": "days", "direction": "lower_is_better", "target": 30}),
        )
        .await;
    let posts = [
        indicators(&fixture.committee),
        format!("{}/{indicator}/valeurs", indicators(&fixture.committee)),
    ];
    let fields = [
        ("name", "x"),
        ("unit", "count"),
        ("direction", "higher_is_better"),
        ("period", "2026"),
        ("value", "1"),
    ];

    let mut secretariat = Browser::signed_in(&app, &fixture.secretariat_email).await;
    for path in &posts {
        let forged = secretariat.post(path, &fields).await;
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
    let page = reader.get(&indicators(&fixture.committee)).await;
    page.assert_status(200);
    assert!(
        select_attr(&page.text(), "main form[method=post]", "action").is_empty(),
        "no form for a reader"
    );
    for path in &posts {
        let forged = reader.submit(path, &fields).await;
        forged.assert_status(403);
        assert_eq!(select(&forged.text(), "h1"), ["Accès refusé"], "{path}");
    }

    let (other, _) = app
        .secretariat(&fixture.admin, "Préfecture de la Meuse")
        .await;
    let mut stranger =
        Browser::signed_in(&app, &format!("secretariat-{}@clu.test", &other[..8])).await;
    for path in [
        indicators(&fixture.committee),
        format!("/comites/{}/bilan/2026", fixture.committee),
        format!("/comites/{}/bilan", fixture.committee),
    ] {
        let page = stranger.get(&path).await;
        page.assert_status(404);
        assert_eq!(select(&page.text(), "h1"), ["Page introuvable"], "{path}");
    }
    for path in &posts {
        stranger.submit(path, &fields).await.assert_status(404);
    }
    let stored = app
        .get(
            &format!("/api/v1/indicators/{indicator}"),
            &fixture.secretariat,
        )
        .await
        .json();
    assert_eq!(stored["values"], serde_json::json!([]), "nothing recorded");
    let all = app
        .get(
            &format!("/api/v1/committees/{}/indicators", fixture.committee),
            &fixture.secretariat,
        )
        .await
        .json();
    assert_eq!(all["total"], 1, "nothing created");
}
