//! Page tests of src/web/admin/ through the real app (see pages.rs,
//! browse.rs): structures, users and roles, the audit log; who may reach
//! them, forms without their token, other structures' records.

use serde_json::json;

use crate::browse::{Browser, attribute, select, select_attr};
use crate::common::{Backend, PASSWORD, TestApp};

const ADMIN_EMAIL: &str = "admin@clu.test";

fn structure_form<'a>(
    city: &'a str,
    letterhead: &'a str,
    version: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Préfecture de l’Aube"),
        ("department_code", "10"),
        ("city", city),
        ("service_name", "Secrétariat Général Commun Départemental"),
        ("letterhead", letterhead),
        ("officer_name", "Jeanne MARTIN"),
        ("officer_phone", "03 25 42 35 00"),
        ("officer_email", "jeanne.martin@aube.gouv.fr"),
        ("version", version),
    ]
}

#[actix_web::test]
async fn an_administrator_creates_and_edits_a_structure() {
    let app = TestApp::new(Backend::Sqlite).await;
    let admin = app.admin().await;
    let mut browser = Browser::signed_in(&app, ADMIN_EMAIL).await;
    let html = browser.get("/administration").await.text();
    assert_eq!(select(&html, "h1"), ["Administration"]);
    assert_eq!(
        select(&html, "h2.fr-tile__title"),
        [
            "Structures",
            "Utilisateurs et rôles",
            "Journal des modifications"
        ]
    );
    let html = browser.get("/administration/structures").await.text();
    assert!(
        html.contains("Aucune structure"),
        "an empty list says what to do"
    );

    browser.get("/administration/structures/nouvelle").await;
    let mut bad = structure_form("Troyes", "PRÉFÈTE DE L’AUBE", "");
    bad[1] = ("department_code", "99");
    let refused = browser
        .submit("/administration/structures/nouvelle", &bad)
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert_eq!(
        attribute(&html, "#departement", "aria-describedby").as_deref(),
        Some("departement-erreur")
    );
    assert_eq!(
        attribute(&html, "#ville", "value").as_deref(),
        Some("Troyes"),
        "what was typed comes back"
    );

    let created = browser
        .submit(
            "/administration/structures/nouvelle",
            &structure_form(
                "Troyes",
                "PRÉFÈTE DE L’AUBE\r\n\r\nLiberté Égalité Fraternité",
                "",
            ),
        )
        .await;
    let page = browser.follow(&created).await;
    let html = page.text();
    assert!(
        html.contains("Structure «\u{202f}Préfecture de l’Aube\u{202f}» créée"),
        "{html}"
    );
    let edit = select_attr(&html, "table a", "href");
    assert_eq!(edit.len(), 1);
    let id = edit[0]
        .trim_start_matches("/administration/structures/")
        .trim_end_matches("/modifier")
        .to_owned();
    let saved = app
        .get(&format!("/api/v1/structures/{id}"), &admin)
        .await
        .json();
    assert_eq!(
        saved["letterhead"],
        json!(["PRÉFÈTE DE L’AUBE", "Liberté Égalité Fraternité"]),
        "one line per line, blank ones dropped"
    );
    assert_eq!(saved["case_officer"]["name"], "Jeanne MARTIN");

    let html = browser.get(&edit[0]).await.text();
    assert_eq!(
        select(&html, "#en-tete"),
        ["PRÉFÈTE DE L’AUBE\nLiberté Égalité Fraternité"]
    );
    let version = attribute(&html, "input[name=version]", "value").expect("version");
    browser
        .submit_follow(
            &edit[0],
            &structure_form(
                "Troyes",
                "PRÉFÈTE DE L’AUBE\nDirection des services",
                &version,
            ),
        )
        .await
        .assert_status(200);
    let saved = app
        .get(&format!("/api/v1/structures/{id}"), &admin)
        .await
        .json();
    assert_eq!(
        saved["letterhead"],
        json!(["PRÉFÈTE DE L’AUBE", "Direction des services"])
    );
    assert_eq!(app.audit_count(&admin, "structure.update", &id).await, 1);
}

#[actix_web::test]
async fn a_stale_structure_edit_is_refused_with_both_values() {
    let app = TestApp::new(Backend::Sqlite).await;
    let admin = app.admin().await;
    let id = app.structure(&admin, "Préfecture de l’Aube").await;
    let edit = format!("/administration/structures/{id}/modifier");
    let mut first = Browser::signed_in(&app, ADMIN_EMAIL).await;
    let mut second = Browser::signed_in(&app, ADMIN_EMAIL).await;
    let version = |html: &str| attribute(html, "input[name=version]", "value").expect("version");
    let v1 = version(&first.get(&edit).await.text());
    let v2 = version(&second.get(&edit).await.text());
    first
        .submit(&edit, &structure_form("Troyes", "A", &v1))
        .await
        .assert_status(303);
    let refused = second
        .submit(&edit, &structure_form("Bar-sur-Aube", "A", &v2))
        .await;
    refused.assert_status(409);
    let html = refused.text();
    assert!(html.contains("Modifié entre-temps"));
    assert_eq!(
        attribute(&html, "#ville", "value").as_deref(),
        Some("Bar-sur-Aube"),
        "what was typed stays"
    );
    assert!(
        select(&html, ".clu-current")
            .iter()
            .any(|p| p.contains("Troyes")),
        "the saved value is shown: {html}"
    );
    let saved = app
        .get(&format!("/api/v1/structures/{id}"), &admin)
        .await
        .json();
    assert_eq!(saved["city"], "Troyes", "nothing was overwritten");
    let v3 = version(&html);
    second
        .submit(&edit, &structure_form("Bar-sur-Aube", "A", &v3))
        .await
        .assert_status(303);
}

#[actix_web::test]
async fn structures_are_for_administrators_and_forms_need_their_token() {
    let app = TestApp::new(Backend::Sqlite).await;
    let admin = app.admin().await;
    let (structure, _) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let sec_email = format!("secretariat-{}@clu.test", &structure[..8]);
    let mut sec = Browser::signed_in(&app, &sec_email).await;
    let html = sec.get("/administration").await.text();
    assert_eq!(
        select(&html, "h2.fr-tile__title"),
        ["Utilisateurs et rôles", "Journal des modifications"]
    );
    let edit = format!("/administration/structures/{structure}/modifier");
    for path in [
        "/administration/structures",
        "/administration/structures/nouvelle",
        edit.as_str(),
    ] {
        let page = sec.get(path).await;
        page.assert_status(403);
        assert_eq!(select(&page.text(), "h1"), ["Accès refusé"], "{path}");
    }
    let forged = sec
        .submit(&edit, &structure_form("Ailleurs", "X", ""))
        .await;
    forged.assert_status(403);
    assert_eq!(select(&forged.text(), "h1"), ["Accès refusé"]);
    let forged = sec
        .submit(
            "/administration/structures/nouvelle",
            &structure_form("Ailleurs", "X", ""),
        )
        .await;
    forged.assert_status(403);

    let mut browser = Browser::signed_in(&app, ADMIN_EMAIL).await;
    browser.get(&edit).await.assert_status(200);
    let without = browser
        .post(&edit, &structure_form("Ailleurs", "X", ""))
        .await;
    without.assert_status(403);
    assert_eq!(select(&without.text(), "h1"), ["Formulaire refusé"]);
    let without = browser
        .post(
            "/administration/structures/nouvelle",
            &structure_form("Ailleurs", "X", ""),
        )
        .await;
    without.assert_status(403);
    let saved = app
        .get(&format!("/api/v1/structures/{structure}"), &admin)
        .await
        .json();
    assert_eq!(saved["city"], "Chaumont", "nothing changed");
    let missing = browser
        .get("/administration/structures/pas-une-structure/modifier")
        .await;
    missing.assert_status(404);
    assert_eq!(select(&missing.text(), "h1"), ["Page introuvable"]);
}

/// A secrétariat of Haute-Marne signed in; its structure, the admin token.
async fn secretariat(app: &TestApp) -> (String, String, Browser<'_>) {
    let admin = app.admin().await;
    let (structure, _) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let email = format!("secretariat-{}@clu.test", &structure[..8]);
    let browser = Browser::signed_in(app, &email).await;
    (admin, structure, browser)
}

fn user_id_of(html: &str, name: &str) -> String {
    let document = scraper::Html::parse_document(html);
    let rows = scraper::Selector::parse("tbody tr").expect("selector");
    let link = scraper::Selector::parse("a").expect("selector");
    document
        .select(&rows)
        .find(|row| row.text().collect::<String>().contains(name))
        .and_then(|row| row.select(&link).next())
        .and_then(|a| a.value().attr("href"))
        .map(|href| {
            href.trim_start_matches("/administration/utilisateurs/")
                .trim_end_matches("/modifier")
                .to_owned()
        })
        .unwrap_or_else(|| panic!("{name} not in the list: {html}"))
}

#[actix_web::test]
async fn the_secretariat_creates_a_reader_and_changes_its_role() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (admin, structure, mut sec) = secretariat(&app).await;
    let html = sec.get("/administration/utilisateurs/nouveau").await.text();
    assert_eq!(
        select(&html, "#role option"),
        ["Lecture seule", "Secrétariat"],
        "the secrétariat gives neither the signatory nor the administrator role"
    );
    assert!(select(&html, "#structure").is_empty(), "its own structure");
    let form = |password: &'static str| {
        vec![
            ("email", "lea.lecture@haute-marne.gouv.fr"),
            ("display_name", "Léa Lecture"),
            ("role", "reader"),
            ("password", password),
        ]
    };
    let refused = sec
        .submit("/administration/utilisateurs/nouveau", &form("court"))
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert_eq!(
        attribute(&html, "#mot-de-passe", "aria-describedby").as_deref(),
        Some("mot-de-passe-erreur")
    );
    assert_eq!(
        attribute(&html, "#mot-de-passe", "value").as_deref(),
        Some("")
    );
    assert_eq!(
        attribute(&html, "#nom", "value").as_deref(),
        Some("Léa Lecture")
    );
    let page = sec
        .submit_follow("/administration/utilisateurs/nouveau", &form(PASSWORD))
        .await;
    let html = page.text();
    assert!(
        html.contains("Compte de Léa Lecture créé (Lecture seule)"),
        "{html}"
    );
    let id = user_id_of(&html, "Léa Lecture");
    // The same address again: refused beside the field.
    sec.get("/administration/utilisateurs/nouveau").await;
    let twice = sec
        .submit("/administration/utilisateurs/nouveau", &form(PASSWORD))
        .await;
    twice.assert_status(422);
    assert_eq!(
        attribute(&twice.text(), "#courriel", "aria-describedby").as_deref(),
        Some("courriel-erreur")
    );

    let edit = format!("/administration/utilisateurs/{id}/modifier");
    sec.get(&edit).await.assert_status(200);
    sec.submit_follow(
        &edit,
        &[
            ("display_name", "Léa Lecture-Martin"),
            ("role", "secretariat"),
        ],
    )
    .await
    .assert_status(200);
    let user = app.get(&format!("/api/v1/users/{id}"), &admin).await.json();
    assert_eq!(user["role"], "secretariat");
    assert_eq!(user["display_name"], "Léa Lecture-Martin");
    assert_eq!(user["structure_id"], structure.as_str());
    // Giving the signatory role is refused by the domain.
    let forged = sec
        .submit(&edit, &[("display_name", "Léa"), ("role", "signatory")])
        .await;
    forged.assert_status(403);
    assert_eq!(
        app.get(&format!("/api/v1/users/{id}"), &admin).await.json()["role"],
        "secretariat"
    );
}

#[actix_web::test]
async fn a_disabled_users_session_ends_at_the_next_click_and_comes_back_when_enabled() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (admin, structure, mut sec) = secretariat(&app).await;
    let (reader_id, _) = app
        .user(&admin, &structure, "reader", "lecteur@clu.test")
        .await;
    let mut reader = Browser::signed_in(&app, "lecteur@clu.test").await;
    let html = sec.get("/administration/utilisateurs").await.text();
    let buttons = select(&html, "tbody button");
    assert!(
        buttons.iter().any(|b| b.starts_with("Désactiver")),
        "{buttons:?}"
    );
    let page = sec
        .submit_follow(
            &format!("/administration/utilisateurs/{reader_id}/desactiver"),
            &[],
        )
        .await;
    let html = page.text();
    assert!(html.contains("sa session prend fin"), "{html}");
    assert!(select(&html, ".fr-badge").contains(&"Désactivé".to_owned()));

    let next = reader.get("/tableau-de-bord").await;
    next.assert_status(303);
    assert_eq!(
        crate::browse::location(&next),
        "/connexion?session=terminee"
    );
    let refused = reader.sign_in("lecteur@clu.test", PASSWORD).await;
    assert!(
        refused.text().contains("Connexion impossible"),
        "a disabled account cannot sign in"
    );

    sec.submit_follow(
        &format!("/administration/utilisateurs/{reader_id}/activer"),
        &[],
    )
    .await
    .assert_status(200);
    let mut again = Browser::signed_in(&app, "lecteur@clu.test").await;
    again.get("/tableau-de-bord").await.assert_status(200);
    assert_eq!(app.audit_count(&admin, "user.update", &reader_id).await, 2);
}

#[actix_web::test]
async fn no_one_disables_their_own_account() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (admin, structure, mut sec) = secretariat(&app).await;
    let html = sec.get("/administration/utilisateurs").await.text();
    assert!(
        select(&html, "tbody button").is_empty(),
        "no button for oneself: {html}"
    );
    let (users, _) = (
        app.get(&format!("/api/v1/users?structure_id={structure}"), &admin)
            .await
            .json(),
        (),
    );
    let own = users["items"][0]["id"].as_str().expect("id").to_owned();
    let refused = sec
        .submit(
            &format!("/administration/utilisateurs/{own}/desactiver"),
            &[],
        )
        .await;
    refused.assert_status(409);
    assert!(
        refused.text().contains(
            "vous ne pouvez pas changer votre propre rôle ni désactiver votre propre compte"
        ),
        "{}",
        refused.text()
    );
    sec.get("/tableau-de-bord").await.assert_status(200);
}

#[actix_web::test]
async fn user_routes_refuse_readers_signatories_other_structures_and_missing_tokens() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (admin, structure, mut sec) = secretariat(&app).await;
    let (signatory, _) = app
        .user(&admin, &structure, "signatory", "signataire@clu.test")
        .await;
    let (reader_id, _) = app
        .user(&admin, &structure, "reader", "lecteur@clu.test")
        .await;
    let (aube, _) = app.secretariat(&admin, "Préfecture de l’Aube").await;
    let (theirs, _) = app.user(&admin, &aube, "reader", "aube@clu.test").await;

    // A signatory's account is the administrators'.
    let html = sec.get("/administration/utilisateurs").await.text();
    assert!(html.contains("signataire@clu.test"));
    assert!(!html.contains(&format!("{signatory}/modifier")), "{html}");
    let edit = format!("/administration/utilisateurs/{signatory}/modifier");
    sec.get(&edit).await.assert_status(403);
    sec.submit(
        &format!("/administration/utilisateurs/{signatory}/desactiver"),
        &[],
    )
    .await
    .assert_status(403);
    // Another structure's user does not exist here.
    for path in [
        format!("/administration/utilisateurs/{theirs}/modifier"),
        "/administration/utilisateurs/pas-un-compte/modifier".to_owned(),
    ] {
        let page = sec.get(&path).await;
        page.assert_status(404);
        assert_eq!(select(&page.text(), "h1"), ["Page introuvable"]);
    }
    for path in [
        format!("/administration/utilisateurs/{theirs}/modifier"),
        format!("/administration/utilisateurs/{theirs}/desactiver"),
        format!("/administration/utilisateurs/{theirs}/activer"),
    ] {
        let page = sec
            .submit(&path, &[("display_name", "X"), ("role", "reader")])
            .await;
        page.assert_status(404);
        assert_eq!(select(&page.text(), "h1"), ["Page introuvable"], "{path}");
    }
    // Without the form's token.
    for path in [
        format!("/administration/utilisateurs/{reader_id}/desactiver"),
        format!("/administration/utilisateurs/{reader_id}/activer"),
        format!("/administration/utilisateurs/{reader_id}/modifier"),
        "/administration/utilisateurs/nouveau".to_owned(),
    ] {
        let page = sec
            .post(&path, &[("display_name", "X"), ("role", "reader")])
            .await;
        page.assert_status(403);
        assert_eq!(select(&page.text(), "h1"), ["Formulaire refusé"], "{path}");
    }
    let user = app
        .get(&format!("/api/v1/users/{reader_id}"), &admin)
        .await
        .json();
    assert_eq!(
        (user["active"].clone(), user["display_name"].clone()),
        (json!(true), json!("lecteur@clu.test"))
    );
    // A reader has no administration at all.
    let mut reader = Browser::signed_in(&app, "lecteur@clu.test").await;
    let html = reader.get("/tableau-de-bord").await.text();
    assert!(!html.contains("/administration"), "no menu entry");
    for path in [
        "/administration",
        "/administration/utilisateurs",
        "/administration/journal",
    ] {
        reader.get(path).await.assert_status(403);
    }
    let csrf = reader.csrf.clone();
    reader
        .post(
            "/administration/utilisateurs/nouveau",
            &[
                ("csrf", &csrf),
                ("email", "x@clu.test"),
                ("display_name", "X"),
                ("role", "reader"),
                ("password", PASSWORD),
            ],
        )
        .await
        .assert_status(403);
    reader
        .post(
            &format!("/administration/utilisateurs/{reader_id}/desactiver"),
            &[("csrf", &csrf)],
        )
        .await
        .assert_status(403);
    app.login("x@clu.test", PASSWORD).await.assert_status(401);
}

#[actix_web::test]
async fn an_administrator_filters_users_by_structure() {
    let app = TestApp::new(Backend::Sqlite).await;
    let admin = app.admin().await;
    let (marne, _) = app
        .secretariat(&admin, "Préfecture de la Haute-Marne")
        .await;
    let (aube, _) = app.secretariat(&admin, "Préfecture de l’Aube").await;
    app.user(&admin, &aube, "signatory", "sg-aube@clu.test")
        .await;
    let mut browser = Browser::signed_in(&app, ADMIN_EMAIL).await;
    let html = browser.get("/administration/utilisateurs").await.text();
    assert_eq!(select(&html, "tbody tr").len(), 4, "every account: {html}");
    let html = browser
        .get(&format!("/administration/utilisateurs?structure={aube}"))
        .await
        .text();
    assert_eq!(select(&html, "tbody tr").len(), 2);
    assert!(html.contains("sg-aube@clu.test"));
    let html = browser
        .get(&format!("/administration/utilisateurs?structure={marne}"))
        .await
        .text();
    assert!(!html.contains("sg-aube@clu.test"));
    // The administrator gives the signatory role, in a structure chosen.
    let html = browser
        .get("/administration/utilisateurs/nouveau")
        .await
        .text();
    assert_eq!(
        select(&html, "#role option"),
        [
            "Lecture seule",
            "Secrétariat",
            "Signataire",
            "Administrateur"
        ]
    );
    browser
        .submit_follow(
            "/administration/utilisateurs/nouveau",
            &[
                ("email", "sg-marne@clu.test"),
                ("display_name", "Guillaume THIRARD"),
                ("role", "signatory"),
                ("structure_id", &marne),
                ("password", PASSWORD),
            ],
        )
        .await
        .assert_status(200);
    app.token("sg-marne@clu.test").await;
}

#[actix_web::test]
async fn the_audit_log_is_filtered_paged_and_scoped_to_the_structure() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (admin, structure, mut sec) = secretariat(&app).await;
    let (_, aube_token) = app.secretariat(&admin, "Préfecture de l’Aube").await;
    app.create(
        "/api/v1/organizations",
        &aube_token,
        json!({"name": "UDAF de l’Aube", "kind": "association"}),
    )
    .await;
    let sec_token = app
        .token(&format!("secretariat-{}@clu.test", &structure[..8]))
        .await;
    let mut organizations = Vec::new();
    for n in 0..52 {
        organizations.push(
            app.create(
                "/api/v1/organizations",
                &sec_token,
                json!({"name": format!("Association n°{n}"), "kind": "association"}),
            )
            .await,
        );
    }

    let page = sec.get("/administration/journal").await;
    page.assert_status(200);
    let html = page.text();
    assert_eq!(select(&html, "h1"), ["Journal des modifications"]);
    assert!(!html.contains("UDAF de l’Aube"), "only its own structure");
    assert_eq!(select(&html, "tbody tr").len(), 50, "one page");
    assert!(
        html.contains("Création d’un organisme"),
        "actions in French"
    );
    let next = select_attr(&html, "a.fr-pagination__link--next", "href");
    assert!(!next.is_empty(), "a next page: {html}");
    let html = sec.get(&next[0]).await.text();
    // 52 organizations, the structure and its secretariat's account.
    assert_eq!(select(&html, "tbody tr").len(), 4, "{html}");

    // By entity.
    let url = format!(
        "/administration/journal?entity=organization&entity_id={}",
        organizations[3]
    );
    let html = sec.get(&url).await.text();
    assert_eq!(select(&html, "tbody tr").len(), 1);
    assert!(
        html.contains("n°\u{a0}3"),
        "typography on the details: {html}"
    );
    // By person: the administrator made the secretariat's account.
    let html = sec.get("/administration/journal?entity=user").await.text();
    assert_eq!(select(&html, "tbody tr").len(), 1);
    assert!(html.contains("Création d’un compte"));
    // By period, in Paris days.
    let today = clu::clock::paris_date(app.state.clock.now());
    let tomorrow = today.succ_opt().expect("date");
    let html = sec
        .get(&format!("/administration/journal?from={today}&to={today}"))
        .await
        .text();
    assert_eq!(select(&html, "tbody tr").len(), 50);
    let html = sec
        .get(&format!("/administration/journal?from={tomorrow}"))
        .await
        .text();
    assert!(select(&html, "tbody tr").is_empty());
    assert!(html.contains("Aucune modification ne correspond"), "{html}");
    let bad = sec.get("/administration/journal?from=hier").await;
    bad.assert_status(200);
    assert_eq!(
        attribute(&bad.text(), "#du", "aria-describedby").as_deref(),
        Some("du-erreur")
    );

    // The administrator sees every structure, and filters by person.
    let mut browser = Browser::signed_in(&app, ADMIN_EMAIL).await;
    let html = browser
        .get("/administration/journal?entity=organization")
        .await
        .text();
    assert!(
        html.contains("53 modifications"),
        "both structures' organizations: {html}"
    );
    let admin_id = app.get("/api/v1/auth/me", &admin).await.json()["id"]
        .as_str()
        .map(str::to_owned);
    if let Some(admin_id) = admin_id {
        let html = browser
            .get(&format!(
                "/administration/journal?actor={admin_id}&entity=organization"
            ))
            .await
            .text();
        assert!(html.contains("Aucune modification ne correspond"), "{html}");
        let html = browser
            .get(&format!(
                "/administration/journal?actor={admin_id}&entity=structure"
            ))
            .await
            .text();
        assert_eq!(select(&html, "tbody tr").len(), 2);
        let links = select_attr(&html, "tbody a", "href");
        assert_eq!(links.len(), 2, "each structure linked: {html}");
        assert!(
            links
                .iter()
                .all(|l| l.starts_with("/administration/structures/"))
        );
    }
}
