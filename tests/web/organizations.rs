//! The organizations of the registry through the real application: added,
//! edited (with the stale-save check), removed or archived.

use serde_json::json;

use crate::browse::{Browser, attribute, location, select};
use crate::common::{Backend, TestApp};
use crate::registry::{one_h1_and_title, registry};

#[actix_web::test]
async fn organizations_are_added_edited_and_removed() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    let html = browser.get("/registre/organisations/nouvelle").await.text();
    one_h1_and_title(&html, "Ajouter une organisation");
    let csrf = browser.csrf.clone();
    let refused = browser
        .post(
            "/registre/organisations/nouvelle",
            &[
                ("csrf", &csrf),
                ("name", ""),
                ("acronym", "UDAF"),
                ("kind", "association"),
            ],
        )
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert_eq!(
        attribute(&html, "input#nom", "aria-describedby").as_deref(),
        Some("nom-erreur")
    );
    assert_eq!(
        attribute(&html, "input#sigle", "value").as_deref(),
        Some("UDAF")
    );
    let created = browser
        .post(
            "/registre/organisations/nouvelle",
            &[
                ("csrf", &csrf),
                ("name", "UDAF de la Haute-Marne"),
                ("acronym", "UDAF"),
                ("kind", "association"),
            ],
        )
        .await;
    created.assert_status(303);
    // The same name again is said next to the name.
    let again = browser
        .post(
            "/registre/organisations/nouvelle",
            &[
                ("csrf", &csrf),
                ("name", "udaf de la haute-marne"),
                ("kind", "association"),
            ],
        )
        .await;
    again.assert_status(422);
    assert!(select(&again.text(), "#nom-erreur")[0].contains("déjà ce nom"));

    let html = browser.get("/registre/organisations").await.text();
    one_h1_and_title(&html, "Organisations");
    let rows = select(&html, "#organisations tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("Association"), "{}", rows[0]);
    let edit = attribute(&html, "#organisations a[href$=modifier]", "href").expect("edit link");
    let form = browser.get(&edit).await.text();
    let version = attribute(&form, "input[name=version]", "value").expect("version");
    let csrf = browser.csrf.clone();
    // Someone renames it in between: the save is refused.
    let id = edit.split('/').nth(3).expect("id").to_owned();
    app.patch(
        &format!("/api/v1/organizations/{id}"),
        &reg.token,
        json!({"acronym": "U.D.A.F."}),
    )
    .await
    .assert_status(200);
    let stale = browser
        .post(
            &edit,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("name", "UDAF 52"),
                ("acronym", "UDAF"),
                ("kind", "association"),
            ],
        )
        .await;
    stale.assert_status(409);
    let html = stale.text();
    assert_eq!(
        select(&html, "#sigle-actuelle"),
        ["Valeur actuelle\u{a0}: U.D.A.F."]
    );
    assert_eq!(
        attribute(&html, "input#nom", "value").as_deref(),
        Some("UDAF 52")
    );
    let version = attribute(&html, "input[name=version]", "value").expect("version");
    browser
        .post(
            &edit,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("name", "UDAF 52"),
                ("acronym", "UDAF"),
                ("kind", "association"),
            ],
        )
        .await
        .assert_status(303);
    let removed = browser
        .post(
            &format!("/registre/organisations/{id}/supprimer"),
            &[("csrf", &csrf)],
        )
        .await;
    removed.assert_status(303);
    assert_eq!(location(&removed), "/registre/organisations?supprimee=1");
    app.get(&format!("/api/v1/organizations/{id}"), &reg.token)
        .await
        .assert_problem(404);
}
