//! The minutes' screens through the real app over a real SQLite file:
//! writing (a button, or htmx after typing stops), a stale save refused with
//! both texts, submitting; returning and signing by the structure's
//! signatory only (a 403 page for the secrétariat, a 404 for another
//! structure), a wrong password signing nothing; the signed documents
//! downloaded with the fingerprints shown; every form behind its token.

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::browse::{Browser, attribute, location, select};
use crate::common::fixtures::{self, Committee};
use crate::common::{Backend, TestApp};

/// A held meeting (three present) and its agenda item ids.
async fn held(app: &TestApp, fixture: &Committee) -> (String, Vec<String>) {
    let meeting = fixtures::meeting(app, fixture, 30).await;
    let items = fixtures::hold(app, fixture, &meeting).await;
    (meeting, items)
}

async fn minutes(app: &TestApp, token: &str, meeting: &str) -> Value {
    app.get(&format!("/api/v1/meetings/{meeting}/minutes"), token)
        .await
        .json()
}

#[actix_web::test]
async fn the_minutes_are_saved_by_button_or_htmx_a_stale_save_loses_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let (meeting, items) = held(&app, &fixture).await;
    let path = format!("/reunions/{meeting}/compte-rendu");
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
    let page = browser.get(&path).await;
    page.assert_status(200);
    assert!(page.text().contains("Pas encore enregistré."));
    let body = format!("corps-{}", items[0]);
    let remarks = format!("remarques-{}", items[0]);

    // The browser sends CR LF; the text is kept with LF.
    let saved = browser
        .submit(
            &path,
            &[
                ("version", ""),
                ("opening", "La séance est ouverte."),
                (&body, "Le bilan est présenté.\r\n\r\nIl est adopté."),
                (&remarks, "L’UDAF demande un point d’étape."),
                ("closing_time", "16h30"),
                ("then", "save"),
            ],
        )
        .await;
    let page = browser.follow(&saved).await;
    assert!(page.text().contains("Brouillon enregistré."));
    let stored = minutes(&app, &fixture.secretariat, &meeting).await;
    assert_eq!(
        stored["items"][0]["body"],
        "Le bilan est présenté.\n\nIl est adopté."
    );
    assert_eq!(stored["closing_time"], "16:30");
    let version = attribute(&page.text(), "#version", "value").expect("the version");

    // htmx: the status line and the new version come back.
    let csrf = browser.csrf.clone();
    let automatic = browser
        .send(
            TestRequest::post()
                .uri(&path)
                .insert_header(("HX-Request", "true"))
                .set_form([
                    ("csrf", csrf.as_str()),
                    ("version", version.as_str()),
                    ("opening", "La séance est ouverte à 14h30."),
                    (&body, "Le bilan est présenté."),
                ]),
        )
        .await;
    automatic.assert_status(200);
    let fragment = automatic.text();
    assert!(fragment.contains("Brouillon enregistré à"), "{fragment}");
    let newer = attribute(&fragment, "#version[hx-swap-oob]", "value").expect("new version");
    assert_ne!(newer, version);

    // A save from the page read before the automatic one is stale: refused
    // with the typed text in its field and the saved text beside it.
    let stale = browser
        .submit(
            &path,
            &[
                ("version", &version),
                ("opening", "Ouverture réécrite dans l’autre onglet."),
                (&body, "Le bilan est présenté."),
                ("then", "save"),
            ],
        )
        .await;
    stale.assert_status(409);
    let html = stale.text();
    assert_eq!(
        select(&html, "#ouverture"),
        ["Ouverture réécrite dans l’autre onglet."]
    );
    assert!(
        select(&html, ".clu-saved")
            .iter()
            .any(|s| s.contains("La séance est ouverte à 14h30.")),
        "the text saved meanwhile is shown beside"
    );
    assert_eq!(
        attribute(&html, "#version", "value").as_deref(),
        Some(newer.as_str()),
        "saving again from here saves over what was shown"
    );
    let stored = minutes(&app, &fixture.secretariat, &meeting).await;
    assert_eq!(stored["opening"], "La séance est ouverte à 14h30.");

    // An automatic save that is stale says so and saves nothing.
    let automatic = browser
        .send(
            TestRequest::post()
                .uri(&path)
                .insert_header(("HX-Request", "true"))
                .set_form([
                    ("csrf", csrf.as_str()),
                    ("version", version.as_str()),
                    ("opening", "Autre texte"),
                ]),
        )
        .await;
    assert!(
        automatic
            .text()
            .contains("Enregistrement automatique suspendu")
    );
    let stored = minutes(&app, &fixture.secretariat, &meeting).await;
    assert_eq!(stored["opening"], "La séance est ouverte à 14h30.");

    // A refused field: the typed text stays, the error beside its field.
    let refused = browser
        .submit(
            &path,
            &[
                ("version", &newer),
                ("opening", "Texte gardé"),
                ("closing_time", "midi et quart"),
                ("then", "save"),
            ],
        )
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert_eq!(
        attribute(&html, "#cloture", "aria-describedby").as_deref(),
        Some("cloture-erreur")
    );
    assert_eq!(select(&html, "#ouverture"), ["Texte gardé"]);

    // Submitted: the page then says so and offers no editor.
    let submitted = browser
        .submit(
            &path,
            &[
                ("version", &newer),
                ("opening", "La séance est ouverte à 14h30."),
                ("then", "submit"),
            ],
        )
        .await;
    let page = browser.follow(&submitted).await;
    assert!(page.text().contains("Soumis à la signature le"));
    assert!(select(&page.text(), "form.clu-minutes").is_empty());
    assert_eq!(
        minutes(&app, &fixture.secretariat, &meeting).await["status"],
        "submitted"
    );
}

#[actix_web::test]
async fn only_the_structures_signatory_returns_and_signs_and_a_wrong_password_signs_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let (meeting, items) = held(&app, &fixture).await;
    app.user(
        &fixture.admin,
        &fixture.structure,
        "signatory",
        "signataire@clu.test",
    )
    .await;
    let (other, _) = app.secretariat(&fixture.admin, "Préfecture du Cher").await;
    app.user(&fixture.admin, &other, "signatory", "cher@clu.test")
        .await;
    let path = format!("/reunions/{meeting}/compte-rendu");
    let mut sec = Browser::signed_in(&app, &fixture.secretariat_email).await;
    sec.get(&path).await;
    let body = format!("corps-{}", items[0]);
    sec.submit(
        &path,
        &[(&body, "Le bilan est présenté."), ("then", "submit")],
    )
    .await
    .assert_status(303);

    // The secrétariat cannot reach the signing form; its forged POST is refused.
    let page = sec.get(&format!("{path}/signature")).await;
    page.assert_status(403);
    assert!(page.text().contains("Accès refusé"));
    sec.submit(&format!("{path}/signer"), &[("password", "x")])
        .await
        .assert_status(403);
    // Another structure's signatory: a 404 page.
    let mut cher = Browser::signed_in(&app, "cher@clu.test").await;
    cher.get(&format!("{path}/signature"))
        .await
        .assert_status(404);
    cher.get("/a-signer").await.assert_status(200);
    assert!(
        cher.get("/a-signer")
            .await
            .text()
            .contains("Aucun compte-rendu")
    );

    let mut sig = Browser::signed_in(&app, "signataire@clu.test").await;
    let queue = sig.get("/a-signer").await.text();
    assert_eq!(select(&queue, "tbody tr").len(), 1, "{queue}");
    let page = sig.get(&format!("{path}/signature")).await.text();
    assert_eq!(
        attribute(&page, "#delegation", "value").as_deref(),
        Some("Pour la Préfète et par délégation"),
        "the fixture's letterhead is a Préfète's"
    );
    // Without its token, a form is refused.
    sig.post(&format!("{path}/signer"), &[("password", "x")])
        .await
        .assert_status(403);
    sig.post(&format!("{path}/renvoyer"), &[("comment", "x")])
        .await
        .assert_status(403);

    // A return needs its comment.
    let refused = sig
        .submit(&format!("{path}/renvoyer"), &[("comment", " ")])
        .await;
    refused.assert_status(422);
    assert_eq!(
        attribute(&refused.text(), "#commentaire", "aria-describedby").as_deref(),
        Some("commentaire-erreur")
    );
    let returned = sig
        .submit(
            &format!("{path}/renvoyer"),
            &[("comment", "Ajouter l’heure.")],
        )
        .await;
    assert_eq!(location(&returned), "/a-signer");
    let editor = sec.get(&path).await.text();
    assert!(
        select(&editor, ".fr-callout")
            .iter()
            .any(|c| c.contains("Ajouter l’heure."))
    );
    sec.submit(
        &path,
        &[
            (
                "version",
                &attribute(&editor, "#version", "value").expect("version"),
            ),
            (&body, "Le bilan est présenté."),
            ("closing_time", "16h00"),
            ("then", "submit"),
        ],
    )
    .await
    .assert_status(303);

    // A wrong password: said next to its field, nothing signed.
    sig.get(&format!("{path}/signature")).await;
    let wrong = sig
        .submit(
            &format!("{path}/signer"),
            &[
                ("function", "La Secrétaire Générale"),
                ("delegation", "Pour la Préfète et par délégation"),
                ("password", "pas le bon"),
            ],
        )
        .await;
    wrong.assert_status(401);
    let html = wrong.text();
    assert_eq!(
        attribute(&html, "#mot-de-passe", "aria-describedby").as_deref(),
        Some("mot-de-passe-erreur")
    );
    assert_eq!(
        attribute(&html, "#fonction", "value").as_deref(),
        Some("La Secrétaire Générale"),
        "what was typed stays"
    );
    let stored = minutes(&app, &fixture.secretariat, &meeting).await;
    assert_eq!(stored["status"], "submitted");

    let signed = sig
        .submit(
            &format!("{path}/signer"),
            &[
                ("function", "La Secrétaire Générale"),
                ("delegation", "Pour la Préfète et par délégation"),
                ("password", crate::common::PASSWORD),
            ],
        )
        .await;
    let page = sig.follow(&signed).await.text();
    let stored = minutes(&app, &fixture.secretariat, &meeting).await;
    assert_eq!(stored["status"], "signed");
    assert_eq!(stored["signer_function"], "La Secrétaire Générale");
    let fingerprints = select(&page, ".clu-fingerprint");
    for document in stored["documents"].as_array().expect("documents") {
        let sha = document["sha256"].as_str().expect("sha");
        assert!(fingerprints.iter().any(|f| f == sha), "{sha} shown");
    }
    let pdf = sig.get(&format!("{path}/document.pdf?revision=1")).await;
    pdf.assert_status(200);
    assert!(
        pdf.headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment;")),
        "downloaded as a file"
    );
    let sha = Sha256::digest(&pdf.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert!(
        fingerprints.contains(&sha),
        "the bytes are the ones fingerprinted"
    );
    sig.get(&format!("{path}/document.docx"))
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn after_the_signature_a_revision_opens_and_the_distribution_is_listed() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let (meeting, items) = held(&app, &fixture).await;
    let (_, signatory) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "signatory",
            "signataire@clu.test",
        )
        .await;
    let api = format!("/api/v1/meetings/{meeting}/minutes");
    app.request(
        "PUT".parse().expect("method"),
        &api,
        Some(&fixture.secretariat),
        Some(json!({"items": [{"agenda_item_id": items[0], "body": "Présenté."}]})),
    )
    .await
    .assert_status(200);
    app.post(&format!("{api}/submit"), &fixture.secretariat, json!({}))
        .await
        .assert_status(200);
    app.post(
        &format!("{api}/sign"),
        &signatory,
        json!({"password": crate::common::PASSWORD}),
    )
    .await
    .assert_status(200);
    let path = format!("/reunions/{meeting}/compte-rendu");
    let mut sec = Browser::signed_in(&app, &fixture.secretariat_email).await;
    let page = sec.get(&path).await.text();
    assert!(page.contains("sera envoyé à 6 membres"), "{page}");
    for action in ["diffusion", "revision"] {
        sec.post(&format!("{path}/{action}"), &[])
            .await
            .assert_status(403);
    }
    let page = sec
        .submit_follow(&format!("{path}/diffusion"), &[])
        .await
        .text();
    assert!(page.contains("Compte-rendu signé envoyé à 6 membres."));
    assert_eq!(
        select(&page, "#diffusion ~ div tbody tr").len(),
        6,
        "each message is listed with its state"
    );
    let page = sec
        .submit_follow(&format!("{path}/revision"), &[])
        .await
        .text();
    assert!(page.contains("Révision 2 ouverte"));
    assert!(
        !select(&page, "form.clu-minutes").is_empty(),
        "the editor again"
    );
    let reader = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    drop(reader);
    let mut reading = Browser::signed_in(&app, "lecteur@clu.test").await;
    let page = reading.get(&path).await.text();
    assert!(
        select(&page, "form.clu-minutes").is_empty(),
        "a reader gets no editor"
    );
    reading
        .submit(&format!("{path}/diffusion"), &[])
        .await
        .assert_status(403);
}
