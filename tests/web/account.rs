//! "Mon compte" through the real app: the display name and the password,
//! this session going on while the account's other credentials end.

use crate::browse::{Browser, attribute, select};
use crate::common::fixtures;
use crate::common::{Backend, PASSWORD, TestApp};

#[actix_web::test]
async fn the_account_page_renames_and_changes_the_password_keeping_this_session() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
    browser.get("/compte").await.assert_status(200);
    let refused = browser
        .submit("/compte/nom", &[("display_name", "  ")])
        .await;
    refused.assert_status(422);
    assert_eq!(
        attribute(&refused.text(), "#nom-affiche", "aria-describedby").as_deref(),
        Some("nom-affiche-erreur")
    );
    let page = browser
        .submit_follow("/compte/nom", &[("display_name", "Mylène BÉGUÉ")])
        .await;
    assert!(
        select(&page.text(), "header")
            .iter()
            .any(|h| h.contains("Mylène BÉGUÉ"))
    );

    let old_token = app.token(&fixture.secretariat_email).await;
    let wrong = browser
        .submit(
            "/compte/mot-de-passe",
            &[
                ("current_password", "pas le bon mot de passe"),
                ("new_password", "un nouveau mot de passe sûr"),
                ("confirmation", "un nouveau mot de passe sûr"),
            ],
        )
        .await;
    wrong.assert_status(422);
    assert!(select(&wrong.text(), "#mot-de-passe-actuel-erreur")[0].contains("incorrect"));
    let mismatch = browser
        .submit(
            "/compte/mot-de-passe",
            &[
                ("current_password", PASSWORD),
                ("new_password", "un nouveau mot de passe sûr"),
                ("confirmation", "un autre"),
            ],
        )
        .await;
    mismatch.assert_status(422);
    assert_eq!(select(&mismatch.text(), "#confirmation-erreur").len(), 1);
    let changed = browser
        .submit(
            "/compte/mot-de-passe",
            &[
                ("current_password", PASSWORD),
                ("new_password", "un nouveau mot de passe sûr"),
                ("confirmation", "un nouveau mot de passe sûr"),
            ],
        )
        .await;
    let page = browser.follow(&changed).await;
    page.assert_status(200);
    assert!(
        page.text().contains("Mot de passe changé"),
        "this session goes on"
    );
    app.get("/api/v1/committees", &old_token)
        .await
        .assert_status(401);
    app.login(&fixture.secretariat_email, "un nouveau mot de passe sûr")
        .await
        .assert_status(200);
}
