//! The committees' screens through the real app over a real SQLite file:
//! creating a committee, seating a chair, a titular and her substitute.

use crate::browse::{Browser, attribute, location, select};
use crate::common::fixtures;
use crate::common::{Backend, TestApp};

#[actix_web::test]
async fn a_committee_is_created_and_seated_with_a_titular_and_a_substitute() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
    browser.get("/comites/nouveau").await.assert_status(200);
    let refused = browser
        .submit(
            "/comites/nouveau",
            &[("name", " "), ("kind", "clu"), ("description", "")],
        )
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert_eq!(
        attribute(&html, "#nom", "aria-describedby").as_deref(),
        Some("nom-erreur")
    );
    assert_eq!(select(&html, "#nom-erreur").len(), 1);

    let created = browser
        .submit(
            "/comites/nouveau",
            &[
                ("name", "Comité de pilotage qualité"),
                ("kind", "copil"),
                ("description", "Suivi Services Publics +"),
            ],
        )
        .await;
    let page = browser.follow(&created).await;
    page.assert_status(200);
    let html = page.text();
    assert_eq!(select(&html, "h1"), ["Comité de pilotage qualité"]);
    assert!(
        html.contains("Comité «\u{202f}Comité de pilotage qualité\u{202f}» créé"),
        "the flash says what was done"
    );
    assert!(
        html.contains("Aucun membre"),
        "an empty committee says what to do"
    );
    let committee = location(&created)
        .trim_start_matches("/comites/")
        .to_owned();

    // Anne as chair, then Sophie as her substitute, chosen in the lists.
    let seat = |member: &str, role: &str, titular: &str| {
        vec![
            ("member_id", member.to_owned()),
            ("role", role.to_owned()),
            ("since", "2026-01-01".to_owned()),
            ("until", String::new()),
            ("substitute_for", titular.to_owned()),
        ]
    };
    let path = format!("/comites/{committee}/membres");
    let anne = seat(&fixture.titulars[0], "chair", "");
    let fields: Vec<(&str, &str)> = anne.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = browser.submit_follow(&path, &fields).await;
    let html = page.text();
    let anne_seat = attribute(&html, "#suppleant-de option:not([value=''])", "value")
        .expect("Anne's seat in the list of titulars");
    let sophie = seat(&fixture.substitute, "member", &anne_seat);
    let fields: Vec<(&str, &str)> = sophie.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = browser.submit_follow(&path, &fields).await;
    let html = page.text();
    let pairs = select(&html, "#membres ~ .fr-table td:nth-child(3)");
    assert!(
        pairs
            .iter()
            .any(|p| p.starts_with("Suppléé par") && p.contains("Sophie")),
        "{pairs:?}"
    );
    assert!(
        pairs
            .iter()
            .any(|p| p.starts_with("Suppléant de") && p.contains("Anne")),
        "{pairs:?}"
    );

    // A second substitute for Anne is refused next to the field, the choice kept.
    let bruno = seat(&fixture.titulars[1], "member", &anne_seat);
    let fields: Vec<(&str, &str)> = bruno.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.submit(&path, &fields).await;
    refused.assert_status(422);
    let html = refused.text();
    assert!(select(&html, "#suppleant-de-erreur")[0].contains("déjà un suppléant"));
    assert_eq!(
        attribute(&html, "#membre option[selected]", "value").as_deref(),
        Some(fixture.titulars[1].as_str())
    );
}
