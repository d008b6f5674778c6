//! The committees and meetings screens through the real app over a real
//! SQLite file: seating titulars and substitutes, a meeting with its agenda,
//! the invitations and their delivery, the roll call (whole list and one
//! row with htmx), marking held, the stale save, readers and other
//! structures, and the account's own changes.

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::json;

use crate::browse::{Browser, attribute, location, select};
use crate::common::fixtures::{self, Committee};
use crate::common::{Backend, PASSWORD, TestApp};

async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    browser.sign_in(email, PASSWORD).await.assert_status(303);
    // The signed-in session's own form token, as the dashboard carries it.
    browser.get("/tableau-de-bord").await.assert_status(200);
    browser
}

async fn scene(app: &TestApp) -> (Committee, String) {
    let fixture = fixtures::committee(app).await;
    let meeting = fixtures::meeting(app, &fixture, 14).await;
    (fixture, meeting)
}

#[actix_web::test]
async fn a_committee_is_created_and_seated_with_a_titular_and_a_substitute() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let mut browser = signed_in(&app, &fixture.secretariat_email).await;
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
        html.contains("Comité « Comité de pilotage qualité » créé"),
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

#[actix_web::test]
async fn a_meeting_is_created_with_its_agenda_then_invited() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let mut browser = signed_in(&app, &fixture.secretariat_email).await;
    let new = format!("/comites/{}/reunions/nouvelle", fixture.committee);
    browser.get(&new).await.assert_status(200);
    let day = (app.state.clock.now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let mut fields = vec![
        ("title", "Comité local des usagers"),
        ("date", ""),
        ("start", "14:30"),
        ("end", "16:30"),
        ("location", "Salle Louise Michel"),
        ("mode", "in_person"),
        ("chair_member_id", ""),
    ];
    let refused = browser.submit(&new, &fields).await;
    refused.assert_status(422);
    let html = refused.text();
    assert_eq!(
        attribute(&html, "#date", "aria-describedby").as_deref(),
        Some("date-erreur")
    );
    assert_eq!(
        attribute(&html, "#lieu", "value").as_deref(),
        Some("Salle Louise Michel"),
        "what was typed stays"
    );
    fields[1] = ("date", &day);
    fields[3] = ("end", "13:00");
    let refused = browser.submit(&new, &fields).await;
    refused.assert_status(422);
    assert!(select(&refused.text(), "#fin-erreur")[0].contains("la fin doit suivre le début"));
    fields[3] = ("end", "16:30");
    let created = browser.submit(&new, &fields).await;
    let meeting = location(&created)
        .trim_start_matches("/reunions/")
        .to_owned();
    let page = browser.follow(&created).await;
    let html = page.text();
    assert!(html.contains("de 14h30 à 16h30"), "Paris time as typed");
    assert!(html.contains("L’ordre du jour est vide"));

    let agenda = format!("/reunions/{meeting}/ordre-du-jour");
    for (title, presenter, annex) in [
        ("Bilan qualité", "M. THIRARD", ""),
        ("Indicateurs", "", "annexe 1"),
        ("Questions diverses", "", ""),
    ] {
        browser
            .submit(
                &agenda,
                &[
                    ("title", title),
                    ("presenter", presenter),
                    ("annex_label", annex),
                ],
            )
            .await
            .assert_status(303);
    }
    let refused = browser
        .submit(
            &agenda,
            &[("title", ""), ("presenter", "Mme X"), ("annex_label", "")],
        )
        .await;
    refused.assert_status(422);
    assert_eq!(
        attribute(&refused.text(), "#point-presentateur", "value").as_deref(),
        Some("Mme X")
    );
    let page = browser.get(&format!("/reunions/{meeting}")).await;
    let titles = select(&page.text(), ".clu-agenda > li strong");
    assert_eq!(
        titles,
        ["Bilan qualité", "Indicateurs", "Questions diverses"]
    );
    // "Descendre" on the first item, then remove the last.
    let forms: Vec<String> = crate::browse::select_attr(&page.text(), ".clu-agenda form", "action");
    let first_move = forms
        .iter()
        .find(|a| a.ends_with("/deplacer"))
        .expect("a move button")
        .clone();
    browser
        .submit(&first_move, &[("direction", "descendre")])
        .await
        .assert_status(303);
    let page = browser.get(&format!("/reunions/{meeting}")).await;
    assert_eq!(
        select(&page.text(), ".clu-agenda > li strong"),
        ["Indicateurs", "Bilan qualité", "Questions diverses"]
    );
    let removes: Vec<String> =
        crate::browse::select_attr(&page.text(), ".clu-agenda form", "action")
            .into_iter()
            .filter(|a| a.ends_with("/retirer"))
            .collect();
    browser.submit(&removes[2], &[]).await.assert_status(303);
    let page = browser.get(&format!("/reunions/{meeting}")).await;
    assert_eq!(
        select(&page.text(), ".clu-agenda > li strong"),
        ["Indicateurs", "Bilan qualité"]
    );

    // Who gets an e-mail, who the letter; then send.
    let page = browser
        .get(&format!("/reunions/{meeting}/invitations"))
        .await;
    let html = page.text();
    assert!(
        html.contains("5 membres recevront l’invitation par e-mail"),
        "five titulars have an address"
    );
    assert!(
        select(&html, ".fr-callout li")
            .iter()
            .any(|l| l.contains("Eva SANSCOURRIEL")),
        "the one without an address gets the letter"
    );
    assert!(html.contains("Les suppléants (Mme Sophie SUPPLÉANTE)"));
    let sent = browser
        .submit(&format!("/reunions/{meeting}/invitations"), &[])
        .await;
    let page = browser.follow(&sent).await;
    let html = page.text();
    assert!(html.contains("5 invitations envoyées"));
    assert_eq!(select(&html, "#envois ~ .fr-table tbody tr").len(), 5);
    assert_eq!(
        select(&html, "#envois ~ .fr-table .fr-badge")
            .iter()
            .filter(|b| b.as_str() == "en file d’envoi")
            .count(),
        5
    );
    app.deliver().await;
    let page = browser
        .get(&format!("/reunions/{meeting}/invitations"))
        .await;
    assert_eq!(
        select(&page.text(), "#envois ~ .fr-table .fr-badge")
            .iter()
            .filter(|b| b.as_str() == "envoyée")
            .count(),
        5
    );
}

#[actix_web::test]
async fn a_failed_invitation_shows_why_and_is_sent_again_to_the_corrected_address() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (fixture, meeting) = scene(&app).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    {
        use clu::db::schema::outbox;
        let mut conn = app.state.db.get().expect("conn");
        diesel::update(outbox::table.filter(outbox::recipient.eq("bruno.martin@example.fr")))
            .set((
                outbox::status.eq("failed"),
                outbox::last_error.eq("550 5.1.1 boîte inconnue"),
            ))
            .execute(&mut conn)
            .expect("fail one");
    }
    app.patch(
        &format!("/api/v1/members/{}", fixture.titulars[1]),
        &fixture.secretariat,
        json!({"email": "bruno.martin@example.org"}),
    )
    .await
    .assert_status(200);
    let mut browser = signed_in(&app, &fixture.secretariat_email).await;
    let page = browser.get(&format!("/reunions/{meeting}")).await;
    assert!(page.text().contains("1 invitation non distribuée"));
    // The dashboard says so too, with an overdue action of the committee.
    let yesterday = (app.state.clock.now() - chrono::Duration::days(1))
        .date_naive()
        .to_string();
    app.create(
        &format!("/api/v1/committees/{}/actions", fixture.committee),
        &fixture.secretariat,
        json!({"finding": "Délais d’attente au guichet des titres", "due_date": yesterday, "responsible": "BRECI"}),
    )
    .await;
    let page = browser.get("/tableau-de-bord").await;
    let todo = select(&page.text(), "#a-faire li");
    assert!(
        todo.iter()
            .any(|t| t.starts_with("1 invitation non distribuée")),
        "{todo:?}"
    );
    assert!(todo.iter().any(|t| t == "1 action en retard"), "{todo:?}");
    assert!(
        select(&page.text(), "#en-retard + .fr-table td")
            .iter()
            .any(|t| t.contains("Délais d’attente"))
    );
    let page = browser
        .get(&format!("/reunions/{meeting}/invitations"))
        .await;
    let html = page.text();
    assert!(
        html.contains("550 5.1.1 boîte inconnue"),
        "the reason is shown"
    );
    let resend = crate::browse::select_attr(&html, "#envois ~ .fr-table form", "action");
    assert_eq!(resend.len(), 1, "only the failed one can be sent again");
    let page = browser.submit_follow(&resend[0], &[]).await;
    assert!(
        page.text()
            .contains("Invitation renvoyée à bruno.martin@example.org")
    );
    assert_eq!(
        app.audit_count(
            &fixture.admin,
            "invitation.resent",
            resend[0].split('/').nth(4).expect("id")
        )
        .await,
        1
    );
    app.deliver().await;
    let page = browser
        .get(&format!("/reunions/{meeting}/invitations"))
        .await;
    assert!(!page.text().contains("échec"));
    // Sent once more: refused, nothing failed any more.
    let again = browser.submit(&resend[0], &[]).await;
    again.assert_status(409);
}

#[actix_web::test]
async fn the_roll_call_saves_the_whole_list_or_one_row_then_the_meeting_is_held() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (fixture, meeting) = scene(&app).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    let mut browser = signed_in(&app, &fixture.secretariat_email).await;
    let page = browser.get(&format!("/reunions/{meeting}/presences")).await;
    let html = page.text();
    let names = select(&html, "#appel tbody th");
    assert_eq!(
        names.len(),
        7,
        "five invited, the one convened by letter and the substitute: {names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.contains("SUPPLÉANTE") && n.contains("Suppléant de Bruno MARTIN")),
        "{names:?}"
    );
    let anne = format!("presence-{}", fixture.titulars[0]);
    let eva = format!("presence-{}", fixture.without_email);
    let saved = browser
        .submit(
            &format!("/reunions/{meeting}/presences"),
            &[(&anne, "present"), (&eva, "excused")],
        )
        .await;
    let page = browser.follow(&saved).await;
    let html = page.text();
    assert!(html.contains("2 présences enregistrées"));
    assert!(html.contains("1 présents, 1 excusés, 0 absents"));
    assert_eq!(
        attribute(
            &html,
            &format!("#p-{}-present", fixture.titulars[0]),
            "checked"
        )
        .as_deref(),
        Some("")
    );

    // One row with htmx: the row comes back, saved.
    let bruno = format!("presence-{}", fixture.titulars[1]);
    let csrf = browser.csrf.clone();
    let row = browser
        .send(
            TestRequest::post()
                .uri(&format!(
                    "/reunions/{meeting}/presences/{}",
                    fixture.titulars[1]
                ))
                .insert_header(("HX-Request", "true"))
                .set_form([
                    ("csrf", csrf.as_str()),
                    (anne.as_str(), "absent"),
                    (bruno.as_str(), "absent"),
                ]),
        )
        .await;
    row.assert_status(200);
    let fragment = row.text();
    assert!(fragment.trim_start().starts_with("<tr"), "{fragment}");
    assert!(fragment.contains("Enregistré à"));
    let attendance = app
        .get(
            &format!("/api/v1/meetings/{meeting}/attendance"),
            &fixture.secretariat,
        )
        .await
        .json();
    let presence = |member: &str| {
        attendance["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|e| e["member_id"] == member)
            .map(|e| e["presence"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(presence(&fixture.titulars[1]).as_deref(), Some("absent"));
    assert_eq!(
        presence(&fixture.titulars[0]).as_deref(),
        Some("present"),
        "only the row's own choice is read"
    );

    let bad = browser
        .submit(
            &format!("/reunions/{meeting}/presences"),
            &[(&anne, "peut-être")],
        )
        .await;
    bad.assert_status(422);
    let held = browser
        .submit(&format!("/reunions/{meeting}/tenue"), &[])
        .await;
    let page = browser.follow(&held).await;
    assert!(page.text().contains("marquée comme tenue"));
    assert_eq!(select(&page.text(), "h1 + .fr-badge"), ["tenue"]);
}

#[actix_web::test]
async fn a_stale_save_is_shown_as_such_and_loses_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (fixture, meeting) = scene(&app).await;
    let mut first = signed_in(&app, &fixture.secretariat_email).await;
    let mut second = signed_in(&app, &fixture.secretariat_email).await;
    let edit = format!("/reunions/{meeting}/modifier");
    let form_of = |html: &str| {
        [
            "title",
            "date",
            "start",
            "end",
            "location",
            "mode",
            "chair_member_id",
            "version",
        ]
        .iter()
        .map(|name| {
            let value = attribute(html, &format!("[name={name}]"), "value")
                .or_else(|| attribute(html, &format!("[name={name}] option[selected]"), "value"))
                .unwrap_or_default();
            (name.to_string(), value)
        })
        .collect::<Vec<_>>()
    };
    let one = form_of(&first.get(&edit).await.text());
    let two = form_of(&second.get(&edit).await.text());
    let with = |form: &[(String, String)], field: &str, value: &str| {
        form.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == field {
                        value.to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect::<Vec<_>>()
    };
    let as_fields = |form: &[(String, String)]| {
        form.iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
            .collect::<Vec<_>>()
    };
    let mine = as_fields(&with(&one, "location", "Salle des fêtes"));
    let fields: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    first.submit(&edit, &fields).await.assert_status(303);

    let theirs = as_fields(&with(&two, "title", "Comité local des usagers — décembre"));
    let fields: Vec<(&str, &str)> = theirs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let stale = second.submit(&edit, &fields).await;
    stale.assert_status(409);
    let html = stale.text();
    assert!(
        select(&html, ".fr-alert--warning .fr-alert__title")[0].contains("Modifiée entre-temps")
    );
    assert_eq!(
        attribute(&html, "#titre", "value").as_deref(),
        Some("Comité local des usagers — décembre"),
        "what was typed stays"
    );
    assert!(
        select(&html, ".clu-current")
            .iter()
            .any(|c| c.contains("Salle des fêtes")),
        "the saved value is shown"
    );
    let stored = app
        .get(&format!("/api/v1/meetings/{meeting}"), &fixture.secretariat)
        .await
        .json();
    assert_eq!(
        stored["location"], "Salle des fêtes",
        "nothing was overwritten"
    );
    assert_eq!(stored["title"], "Comité local des usagers");

    // Saving again from the warning keeps the typed title (and, as typed, the old place).
    let again = form_of(&html);
    let again = as_fields(&again);
    let fields: Vec<(&str, &str)> = again
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    second.submit(&edit, &fields).await.assert_status(303);
    let stored = app
        .get(&format!("/api/v1/meetings/{meeting}"), &fixture.secretariat)
        .await
        .json();
    assert_eq!(stored["title"], "Comité local des usagers — décembre");
}

#[actix_web::test]
async fn a_reader_sees_no_write_button_and_a_forged_post_is_refused() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (fixture, meeting) = scene(&app).await;
    app.user(
        &fixture.admin,
        &fixture.structure,
        "reader",
        "lecteur@clu.test",
    )
    .await;
    let mut reader = signed_in(&app, "lecteur@clu.test").await;
    for path in [
        format!("/comites/{}", fixture.committee),
        format!("/reunions/{meeting}"),
        format!("/reunions/{meeting}/invitations"),
        format!("/reunions/{meeting}/presences"),
    ] {
        let page = reader.get(&path).await;
        page.assert_status(200);
        let html = page.text();
        let forms = crate::browse::select_attr(&html, "main form", "action");
        assert!(forms.is_empty(), "{path}: a reader gets no form: {forms:?}");
        for label in [
            "Nouvelle réunion",
            "Modifier la réunion",
            "Envoyer les invitations",
            "Enregistrer l’appel",
        ] {
            assert!(!html.contains(label), "{path} shows {label}");
        }
    }
    for path in [
        format!("/reunions/{meeting}/annuler"),
        format!("/reunions/{meeting}/invitations"),
        format!("/comites/{}/reunions/nouvelle", fixture.committee),
    ] {
        let forged = reader.submit(&path, &[("title", "x")]).await;
        forged.assert_status(403);
        assert_eq!(select(&forged.text(), "h1"), ["Accès refusé"]);
    }
    let stored = app
        .get(&format!("/api/v1/meetings/{meeting}"), &fixture.secretariat)
        .await
        .json();
    assert_eq!(stored["status"], "draft", "nothing happened");
}

#[actix_web::test]
async fn another_structures_meeting_is_a_not_found_page() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (fixture, meeting) = scene(&app).await;
    let (other, _) = app
        .secretariat(&fixture.admin, "Préfecture de la Meuse")
        .await;
    let email = format!("secretariat-{}@clu.test", &other[..8]);
    let mut browser = signed_in(&app, &email).await;
    for path in [
        format!("/reunions/{meeting}"),
        format!("/reunions/{meeting}/presences"),
        format!("/comites/{}", fixture.committee),
    ] {
        let page = browser.get(&path).await;
        page.assert_status(404);
        assert_eq!(select(&page.text(), "h1"), ["Page introuvable"]);
    }
    let forged = browser
        .submit(&format!("/reunions/{meeting}/annuler"), &[])
        .await;
    forged.assert_status(404);
    let page = browser.get("/reunions").await;
    assert!(
        page.text().contains("Aucune réunion à venir"),
        "the other structure's meetings are not listed"
    );
}

#[actix_web::test]
async fn the_account_page_renames_and_changes_the_password_keeping_this_session() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let mut browser = signed_in(&app, &fixture.secretariat_email).await;
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
