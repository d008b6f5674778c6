//! The registry's pages through the real application over a real SQLite
//! file: the members' list (search, paging, empty state), adding and
//! editing a member (errors by their field, a stale save refused and then
//! saved), the CSV import in two steps and the export, the GDPR pages,
//! readers, other structures and forms without their token.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::browse::{Browser, attribute, location, select};
use crate::common::{Backend, TestApp};

/// The Haute-Marne registry the demo loads (15 members).
pub const HAUTE_MARNE: &[u8] = include_bytes!("../../src/demo/registre-haute-marne.csv");

pub struct Registry {
    pub admin: String,
    pub structure: String,
    pub token: String,
    pub email: String,
}

pub async fn registry(app: &TestApp) -> Registry {
    let admin = app.admin().await;
    let (structure, token) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let email = format!("secretariat-{}@clu.test", &structure[..8]);
    Registry {
        admin,
        structure,
        token,
        email,
    }
}

pub async fn member(app: &TestApp, token: &str, body: Value) -> String {
    app.create("/api/v1/members", token, body).await
}

pub async fn members_of(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app
        .get("/api/v1/members?include_archived=true&limit=200", token)
        .await;
    response.assert_status(200);
    response.json()["items"].as_array().expect("items").clone()
}

/// A multipart body as a browser sends the import form.
pub fn upload(csrf: Option<&str>, filename: &str, kind: &str, file: &[u8]) -> TestRequest {
    let boundary = "----clu-test-boundary";
    let mut body = Vec::new();
    if let Some(token) = csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{filename}\"\r\nContent-Type: {kind}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    TestRequest::post()
        .uri("/registre/import/verification")
        .insert_header((
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body)
}

pub fn one_h1_and_title(html: &str, title: &str) {
    assert_eq!(select(html, "title"), [format!("{title} — clu")], "{html}");
    assert_eq!(select(html, "h1"), [title]);
    assert!(
        !select(html, ".fr-breadcrumb a[aria-current=page]").is_empty(),
        "breadcrumb"
    );
}

#[actix_web::test]
async fn the_list_searches_ignoring_accents_and_case() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let udaf = app
        .create(
            "/api/v1/organizations",
            &reg.token,
            json!({"name": "UDAF de la Haute-Marne", "kind": "association"}),
        )
        .await;
    member(&app, &reg.token, json!({"civility": "Mme", "first_name": "Élise", "last_name": "Méry", "organization_id": udaf, "function": "Présidente", "email": "elise.mery@example.fr"})).await;
    member(
        &app,
        &reg.token,
        json!({"civility": "M.", "first_name": "Bruno", "last_name": "Martin"}),
    )
    .await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;

    let root = browser.get("/registre").await;
    root.assert_status(303);
    assert_eq!(location(&root), "/registre/membres");

    let html = browser.get("/registre/membres").await.text();
    one_h1_and_title(&html, "Membres");
    assert_eq!(select(&html, "#membres tbody tr").len(), 2);
    // htmx searches as one types, in the same list region; the form works without it.
    assert_eq!(
        attribute(&html, "input#q", "hx-get").as_deref(),
        Some("/registre/membres")
    );
    assert_eq!(
        attribute(&html, "input#q", "hx-select").as_deref(),
        Some("#resultats")
    );
    assert_eq!(
        attribute(&html, "form#recherche-membres", "method").as_deref(),
        Some("get")
    );

    for q in ["elise", "MERY", "méry", "udaf"] {
        let html = browser
            .get(&format!("/registre/membres?q={}", urlencode(q)))
            .await
            .text();
        let rows = select(&html, "#membres tbody tr");
        assert_eq!(rows.len(), 1, "{q}: {rows:?}");
        assert!(rows[0].contains("Élise MÉRY"), "{}", rows[0]);
        assert!(rows[0].contains("UDAF de la Haute-Marne"), "{}", rows[0]);
        assert_eq!(attribute(&html, "input#q", "value").as_deref(), Some(q));
    }
    let html = browser
        .get(&format!("/registre/membres?organisation={udaf}"))
        .await
        .text();
    assert_eq!(select(&html, "#membres tbody tr").len(), 1);
    let html = browser.get("/registre/membres?q=personne").await.text();
    assert_eq!(
        select(&html, "#aucun-resultat"),
        ["Aucun membre ne correspond à cette recherche."]
    );
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).expect("encode")[2..].to_owned()
}

#[actix_web::test]
async fn long_lists_are_paged_and_the_links_keep_the_search() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    for n in 0..52 {
        member(
            &app,
            &reg.token,
            json!({"civility": "M.", "first_name": format!("Prénom{n:02}"), "last_name": "Dupont"}),
        )
        .await;
    }
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    let html = browser.get("/registre/membres?q=dupont").await.text();
    assert_eq!(select(&html, "#membres tbody tr").len(), 50);
    assert_eq!(select(&html, "#nombre-membres"), ["52 membres"]);
    let next = attribute(&html, "a.fr-pagination__link--next", "href").expect("next page");
    assert_eq!(next, "/registre/membres?q=dupont&page=2");
    let html = browser.get(&next).await.text();
    let rows = select(&html, "#membres tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[1].contains("Prénom51"), "{}", rows[1]);
    assert_eq!(
        attribute(&html, "a.fr-pagination__link--prev", "href").as_deref(),
        Some("/registre/membres?q=dupont&page=1")
    );
}

#[actix_web::test]
async fn an_empty_registry_says_how_to_fill_it_to_those_who_can() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    app.user(&reg.admin, &reg.structure, "reader", "lecteur@clu.test")
        .await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    let html = browser.get("/registre/membres").await.text();
    assert_eq!(
        select(&html, "#registre-vide .fr-callout__title"),
        ["Aucun membre\u{a0}: importez votre registre ou ajoutez un membre"]
    );
    assert_eq!(
        select(&html, "#registre-vide a"),
        ["Importer un fichier CSV", "Ajouter un membre"]
    );
    let mut reader = Browser::signed_in(&app, "lecteur@clu.test").await;
    let html = reader.get("/registre/membres").await.text();
    assert!(!select(&html, "#registre-vide").is_empty());
    assert!(select(&html, "#registre-vide a").is_empty(), "{html}");
}

#[actix_web::test]
async fn a_member_without_a_last_name_is_refused_next_to_the_field() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    let html = browser.get("/registre/membres/nouveau").await.text();
    one_h1_and_title(&html, "Ajouter un membre");
    assert_eq!(
        select(&html, "label[for=nom]"),
        ["Nom"],
        "the field has its label"
    );
    let csrf = browser.csrf.clone();
    let form = |last: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("civility", "Mme".to_owned()),
            ("first_name", "Anne".to_owned()),
            ("last_name", last.to_owned()),
            ("function", "Présidente".to_owned()),
            ("organization_id", String::new()),
            ("email", "anne.titulaire@example.fr".to_owned()),
            ("phone", String::new()),
        ]
    };
    let refused = browser
        .post("/registre/membres/nouveau", &pairs(&form("")))
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert_eq!(
        attribute(&html, "input#nom", "aria-describedby").as_deref(),
        Some("nom-erreur")
    );
    assert_eq!(
        attribute(&html, "input#nom", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(!select(&html, "#nom-erreur")[0].is_empty());
    // What was typed is kept.
    assert_eq!(
        attribute(&html, "input#prenom", "value").as_deref(),
        Some("Anne")
    );
    assert_eq!(
        attribute(&html, "input#courriel", "value").as_deref(),
        Some("anne.titulaire@example.fr")
    );
    assert!(members_of(&app, &reg.token).await.is_empty());
    // A new member's civility is chosen, not presumed.
    assert_eq!(
        attribute(&html, "select#civilite option[selected]", "value").as_deref(),
        Some("Mme"),
        "the civility typed is kept"
    );
    let mut unchosen = form("Titulaire");
    unchosen[1].1 = String::new();
    let refused = browser
        .post("/registre/membres/nouveau", &pairs(&unchosen))
        .await;
    refused.assert_status(422);
    assert_eq!(
        attribute(&refused.text(), "select#civilite", "aria-describedby").as_deref(),
        Some("civilite-erreur")
    );
    assert!(members_of(&app, &reg.token).await.is_empty());

    let created = browser
        .post("/registre/membres/nouveau", &pairs(&form("Titulaire")))
        .await;
    created.assert_status(303);
    let to = location(&created).to_owned();
    assert!(
        to.starts_with("/registre/membres/") && to.ends_with("?cree=1"),
        "{to}"
    );
    let html = browser.get(&to).await.text();
    one_h1_and_title(&html, "Mme Anne TITULAIRE");
    assert_eq!(
        select(&html, ".fr-alert--success p"),
        ["Le membre a été ajouté au registre."]
    );
    assert!(select(&html, "#identite")[0].contains("Présidente"));
    assert_eq!(members_of(&app, &reg.token).await.len(), 1);
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The edit form's fields as the page gives them.
fn edit_fields(html: &str) -> Vec<(&'static str, String)> {
    let value = |selector: &str| attribute(html, selector, "value").unwrap_or_default();
    vec![
        ("csrf", value("input[name=csrf]")),
        ("version", value("input[name=version]")),
        ("civility", "Mme".into()),
        ("first_name", value("input#prenom")),
        ("last_name", value("input#nom")),
        ("function", value("input#fonction")),
        ("organization_id", String::new()),
        ("email", value("input#courriel")),
        ("phone", value("input#telephone")),
    ]
}

fn set(form: &mut [(&'static str, String)], name: &str, value: &str) {
    for (k, v) in form.iter_mut() {
        if *k == name {
            *v = value.to_owned();
        }
    }
}

#[actix_web::test]
async fn a_stale_edit_is_refused_keeping_what_was_typed_then_saved_again() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let id = member(&app, &reg.token, json!({"civility": "Mme", "first_name": "Claire", "last_name": "Durand", "function": "Membre"})).await;
    let edit = format!("/registre/membres/{id}/modifier");
    let mut first = Browser::signed_in(&app, &reg.email).await;
    let mut second = Browser::signed_in(&app, &reg.email).await;
    let first_html = first.get(&edit).await.text();
    one_h1_and_title(&first_html, "Modifier Mme Claire DURAND");
    let second_html = second.get(&edit).await.text();

    let mut form = edit_fields(&first_html);
    set(&mut form, "function", "Présidente");
    let saved = first.post(&edit, &pairs(&form)).await;
    saved.assert_status(303);
    assert_eq!(
        location(&saved),
        format!("/registre/membres/{id}?enregistre=1")
    );

    let mut late = edit_fields(&second_html);
    set(&mut late, "function", "Trésorière");
    set(&mut late, "phone", "03 25 30 52 52");
    let refused = second.post(&edit, &pairs(&late)).await;
    refused.assert_status(409);
    let html = refused.text();
    assert!(
        select(&html, "#modifie-entre-temps .fr-alert__title")[0]
            .contains("modifié ce membre entre-temps"),
        "{html}"
    );
    assert_eq!(
        attribute(&html, "input#fonction", "value").as_deref(),
        Some("Trésorière")
    );
    assert_eq!(
        select(&html, "#fonction-actuelle"),
        ["Valeur actuelle\u{a0}: Présidente"]
    );
    assert_eq!(
        attribute(&html, "input#fonction", "aria-describedby").as_deref(),
        Some("fonction-actuelle")
    );
    assert_eq!(
        select(&html, "#telephone-actuelle"),
        ["Valeur actuelle\u{a0}: (vide)"]
    );
    assert!(
        select(&html, "#prenom-actuelle").is_empty(),
        "unchanged fields say nothing"
    );
    let now = app
        .get(&format!("/api/v1/members/{id}"), &reg.token)
        .await
        .json();
    assert_eq!(now["function"], "Présidente", "nothing overwritten");

    // Having seen the current values, saving again goes through.
    let again = edit_fields(&html);
    assert_ne!(again[1].1, late[1].1, "the form carries the new version");
    let mut again = again;
    set(&mut again, "function", "Trésorière");
    second.post(&edit, &pairs(&again)).await.assert_status(303);
    let now = app
        .get(&format!("/api/v1/members/{id}"), &reg.token)
        .await
        .json();
    assert_eq!(now["function"], "Trésorière");
    assert_eq!(now["phone"], "03 25 30 52 52");
}

#[actix_web::test]
async fn readers_see_no_write_button_and_a_forged_post_is_refused() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let id = member(
        &app,
        &reg.token,
        json!({"civility": "M.", "first_name": "Bruno", "last_name": "Martin"}),
    )
    .await;
    app.user(&reg.admin, &reg.structure, "reader", "lecteur@clu.test")
        .await;
    let mut reader = Browser::signed_in(&app, "lecteur@clu.test").await;
    let html = reader.get("/registre/membres").await.text();
    assert!(!html.contains("Ajouter un membre"), "{html}");
    assert!(!html.contains("Importer un fichier CSV"));
    let html = reader.get(&format!("/registre/membres/{id}")).await.text();
    assert!(select(&html, "main .fr-btns-group a").is_empty(), "{html}");
    assert!(!html.contains("Anonymiser"));
    reader
        .get("/registre/membres/nouveau")
        .await
        .assert_status(403);
    let csrf = reader.csrf.clone();
    let forged = reader
        .post(
            "/registre/membres/nouveau",
            &[
                ("csrf", &csrf),
                ("civility", "M."),
                ("first_name", "X"),
                ("last_name", "Y"),
            ],
        )
        .await;
    forged.assert_status(403);
    assert_eq!(select(&forged.text(), "h1"), ["Accès refusé"]);
    reader
        .post(
            &format!("/registre/membres/{id}/anonymiser"),
            &[("csrf", &csrf)],
        )
        .await
        .assert_status(403);
    reader
        .send(upload(Some(&csrf), "r.csv", "text/csv", HAUTE_MARNE))
        .await
        .assert_status(403);
    assert_eq!(members_of(&app, &reg.token).await.len(), 1);
}

#[actix_web::test]
async fn another_structures_member_is_not_found() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let (_, other) = app.secretariat(&reg.admin, "Préfecture de l’Aube").await;
    let theirs = member(
        &app,
        &other,
        json!({"civility": "Mme", "first_name": "Nathalie", "last_name": "Simon"}),
    )
    .await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    browser.get("/registre/membres").await.assert_status(200);
    let csrf = browser.csrf.clone();
    for path in [
        format!("/registre/membres/{theirs}"),
        format!("/registre/membres/{theirs}/modifier"),
        format!("/registre/membres/{theirs}/anonymiser"),
        format!("/registre/membres/{theirs}/donnees"),
        "/registre/membres/pas-un-identifiant".to_owned(),
    ] {
        let response = browser.get(&path).await;
        response.assert_status(404);
        assert_eq!(
            select(&response.text(), "h1"),
            ["Page introuvable"],
            "{path}"
        );
    }
    browser
        .post(
            &format!("/registre/membres/{theirs}/anonymiser"),
            &[("csrf", &csrf)],
        )
        .await
        .assert_status(404);
    let still = app
        .get(&format!("/api/v1/members/{theirs}"), &other)
        .await
        .json();
    assert_eq!(still["last_name"], "Simon");
}

#[actix_web::test]
async fn forms_without_their_token_are_refused() {
    let app = TestApp::new(Backend::Sqlite).await;
    let reg = registry(&app).await;
    let id = member(
        &app,
        &reg.token,
        json!({"civility": "M.", "first_name": "Bruno", "last_name": "Martin"}),
    )
    .await;
    let org = app
        .create(
            "/api/v1/organizations",
            &reg.token,
            json!({"name": "UDAF", "kind": "association"}),
        )
        .await;
    let mut browser = Browser::signed_in(&app, &reg.email).await;
    let fields = [
        ("civility", "M."),
        ("first_name", "X"),
        ("last_name", "Y"),
        ("name", "Z"),
        ("kind", "other"),
    ];
    for path in [
        "/registre/membres/nouveau".to_owned(),
        format!("/registre/membres/{id}/modifier"),
        format!("/registre/membres/{id}/archiver"),
        format!("/registre/membres/{id}/anonymiser"),
        "/registre/organisations/nouvelle".to_owned(),
        format!("/registre/organisations/{org}/modifier"),
        format!("/registre/organisations/{org}/supprimer"),
        "/registre/import".to_owned(),
    ] {
        let response = browser.post(&path, &fields).await;
        response.assert_status(403);
        assert_eq!(
            select(&response.text(), "h1"),
            ["Formulaire refusé"],
            "{path}"
        );
        let wrong: Vec<(&str, &str)> = std::iter::once(("csrf", "faux")).chain(fields).collect();
        browser.post(&path, &wrong).await.assert_status(403);
    }
    browser
        .send(upload(None, "r.csv", "text/csv", HAUTE_MARNE))
        .await
        .assert_status(403);
    browser
        .send(upload(Some("faux"), "r.csv", "text/csv", HAUTE_MARNE))
        .await
        .assert_status(403);
    assert_eq!(members_of(&app, &reg.token).await.len(), 1);
    let now = app
        .get(&format!("/api/v1/members/{id}"), &reg.token)
        .await
        .json();
    assert_eq!(now["last_name"], "Martin");
}

#[actix_web::test]
async fn a_member_is_archived_when_history_refers_to_them_else_deleted() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = crate::common::fixtures::committee(&app).await;
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
    let seated = &fixture.titulars[1];
    let meeting = crate::common::fixtures::meeting(&app, &fixture, 12).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    let html = browser
        .get(&format!("/registre/membres/{seated}"))
        .await
        .text();
    let seats = select(&html, "#comites tbody tr");
    assert_eq!(seats.len(), 1);
    assert!(seats[0].contains("Membre"), "{}", seats[0]);
    let meetings = select(&html, "#reunions tbody tr");
    assert_eq!(meetings.len(), 1, "{meetings:?}");
    assert!(
        meetings[0].contains("Comité local des usagers"),
        "{}",
        meetings[0]
    );
    assert!(meetings[0].contains("convoquée"), "{}", meetings[0]);
    assert!(meetings[0].contains("Sans réponse"), "{}", meetings[0]);
    let html = browser
        .get(&format!("/registre/membres/{seated}/archiver"))
        .await
        .text();
    one_h1_and_title(&html, "Archiver ou supprimer M. Bruno MARTIN");
    let csrf = browser.csrf.clone();
    let html = browser.get("/registre/membres").await.text();
    let rows = select(&html, "#membres tbody tr");
    let martin = rows.iter().find(|r| r.contains("MARTIN")).expect("listed");
    assert!(martin.ends_with('1'), "one committee: {martin}");
    let archived = browser
        .post(
            &format!("/registre/membres/{seated}/archiver"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        location(&archived),
        format!("/registre/membres/{seated}?archive=1")
    );
    let html = browser.get("/registre/membres").await.text();
    assert!(!select(&html, "#membres tbody").concat().contains("MARTIN"));
    let html = browser.get("/registre/membres?archives=1").await.text();
    assert!(select(&html, "#membres tbody").concat().contains("MARTIN"));

    let alone = member(
        &app,
        &fixture.secretariat,
        json!({"civility": "M.", "first_name": "Sans", "last_name": "Historique"}),
    )
    .await;
    let deleted = browser
        .post(
            &format!("/registre/membres/{alone}/archiver"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(location(&deleted), "/registre/membres?supprime=1");
    app.get(&format!("/api/v1/members/{alone}"), &fixture.secretariat)
        .await
        .assert_problem(404);
}
