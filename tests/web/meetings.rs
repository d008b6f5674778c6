//! The meetings' screens through the real app over a real SQLite file: a
//! meeting with its agenda, the invitations and their delivery, the stale
//! save, readers and other structures.

use diesel::prelude::*;
use serde_json::json;

use actix_web::test::TestRequest;

use crate::browse::{Browser, attribute, location, plain, select, select_attr};
use crate::common::fixtures::{self, Committee};
use crate::common::{Backend, TestApp};

async fn scene(app: &TestApp) -> (Committee, String) {
    let fixture = fixtures::committee(app).await;
    let meeting = fixtures::meeting(app, &fixture, 14).await;
    (fixture, meeting)
}

#[actix_web::test]
async fn a_meeting_is_created_with_its_agenda_then_invited() {
    let app = TestApp::new(Backend::Sqlite).await;
    let fixture = fixtures::committee(&app).await;
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
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
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
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
async fn a_stale_save_is_shown_as_such_and_loses_nothing() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (fixture, meeting) = scene(&app).await;
    let mut first = Browser::signed_in(&app, &fixture.secretariat_email).await;
    let mut second = Browser::signed_in(&app, &fixture.secretariat_email).await;
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
    let mut reader = Browser::signed_in(&app, "lecteur@clu.test").await;
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
    let mut browser = Browser::signed_in(&app, &email).await;
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

/// What came back to clu's mailbox (a real IMAP server) shows where the
/// secrétariat looks: the calendar's answer and the bounce on the
/// attendance page, the bounce on the invitations page and the dashboard,
/// the member's reply on the meeting's page.
#[actix_web::test]
async fn the_mail_that_came_back_shows_on_the_meeting_pages() {
    use crate::common::imap::ImapServer;
    use crate::common::mail_samples::{self, invitation_to};

    let server = ImapServer::start();
    let app = TestApp::configured(
        Backend::Sqlite,
        clu::clock::Clock::system(),
        &server.settings(),
    )
    .await;
    let (fixture, meeting) = scene(&app).await;
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        &fixture.secretariat,
        json!({}),
    )
    .await
    .assert_status(202);
    assert_eq!(app.deliver().await.sent, 5);
    let (_, uid, sequence) = invitation_to(&app, fixtures::EMAILS[0]);
    server
        .append(&mail_samples::outlook_reply(&mail_samples::answer(
            &uid,
            sequence,
            fixtures::EMAILS[0],
            "DECLINED",
        )))
        .await;
    let (bounced, _, _) = invitation_to(&app, fixtures::EMAILS[3]);
    server
        .append(&mail_samples::postfix_bounce(
            &bounced,
            fixtures::EMAILS[3],
            "5.2.2",
        ))
        .await;
    let (answered, _, _) = invitation_to(&app, fixtures::EMAILS[2]);
    server
        .append(&mail_samples::human_reply(
            fixtures::EMAILS[2],
            &answered,
            "Je serai présente.",
        ))
        .await;
    let pass = clu::worker::inbox::Inbox::new(app.state.clone())
        .expect("reader")
        .run_once()
        .await
        .expect("read");
    assert_eq!(pass.handled, 3);

    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
    let html = browser
        .get(&format!("/reunions/{meeting}/presences"))
        .await
        .text();
    let rows = select(&html, "tbody tr");
    let anne = rows.iter().find(|r| r.contains("TITULAIRE")).expect("row");
    assert!(
        anne.contains("décline") && anne.contains("Réponse depuis son agenda"),
        "{anne}"
    );
    let denis = rows.iter().find(|r| r.contains("PETIT")).expect("row");
    assert!(
        denis.contains("Non distribuée") && denis.contains("boîte aux lettres pleine (code 5.2.2)"),
        "{denis}"
    );
    let html = browser
        .get(&format!("/reunions/{meeting}/invitations"))
        .await
        .text();
    assert!(html.contains("non distribuée"), "{html}");
    assert!(html.contains("Renvoyer<span class=\"fr-sr-only\"> l’invitation de Denis PETIT"));
    let html = browser.get(&format!("/reunions/{meeting}")).await.text();
    let replies = select(&html, "#reponses-ecrites + .fr-table tbody tr");
    assert_eq!(replies.len(), 1, "{html}");
    assert!(
        replies[0].contains(fixtures::EMAILS[2])
            && replies[0].contains("Re: Invitation au comité local des usagers")
            && replies[0].contains("Réponse transmise au secrétariat."),
        "{}",
        replies[0]
    );
    let html = browser.get("/tableau-de-bord").await.text();
    assert!(html.contains("1 invitation non distribuée"), "{html}");
}

/// The annex form as a browser sends it: the token, the item, the file.
fn annex_form(uri: &str, csrf: &str, item: &str, name: &str, bytes: &[u8]) -> TestRequest {
    let boundary = "----clu-annexe";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"point\"\r\n\r\n{item}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    TestRequest::post()
        .uri(uri)
        .insert_header((
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .set_payload(body)
}

/// Annexes on the meeting's page: added to an item with the plain file
/// field, listed with their type and size, downloaded, refused with the
/// reason next to the field, deleted; a reader sees no form.
#[actix_web::test]
async fn annexes_are_added_listed_downloaded_and_deleted_on_the_meeting_page() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (fixture, meeting) = scene(&app).await;
    let mut browser = Browser::signed_in(&app, &fixture.secretariat_email).await;
    let page = format!("/reunions/{meeting}");
    let html = browser.get(&page).await.text();
    assert!(
        html.contains("Aucune annexe."),
        "the empty list says what to do"
    );
    let items = select_attr(&html, "#annexe-point option", "value");
    assert_eq!(items.len(), 4, "the meeting and its three items: {items:?}");
    let csv = "Indicateur;Résultat\nAccueil;87\n".as_bytes();
    let csrf = browser.csrf.clone();
    let added = browser
        .send(annex_form(
            &format!("{page}/annexes"),
            &csrf,
            &items[2],
            "indicateurs.csv",
            csv,
        ))
        .await;
    let html = browser.follow(&added).await.text();
    assert!(
        plain(html.clone()).contains("Annexe « indicateurs.csv » ajoutée."),
        "{html}"
    );
    let rows = select(&html, "#annexes + .fr-table tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].contains("Point 2") && rows[0].contains("tableau CSV"),
        "{}",
        rows[0]
    );
    let href = select_attr(&html, "#annexes + .fr-table tbody a", "href")[0].clone();
    let download = browser.get(&href).await;
    download.assert_status(200);
    assert_eq!(download.body, csv);
    assert!(
        download
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment")),
    );

    // An HTML page is refused, the reason next to the field, nothing kept.
    let csrf = browser.csrf.clone();
    let refused = browser
        .send(annex_form(
            &format!("{page}/annexes"),
            &csrf,
            "",
            "page.pdf",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        ))
        .await;
    refused.assert_status(422);
    let html = refused.text();
    assert_eq!(
        attribute(&html, "#annexe-fichier", "aria-describedby").as_deref(),
        Some("annexe-fichier-erreur")
    );
    assert!(select(&html, "#annexe-fichier-erreur")[0].contains("Type de fichier refusé"));
    assert_eq!(select(&html, "#annexes + .fr-table tbody tr").len(), 1);

    // Without its token, the form is refused before the file is read.
    let forged = browser
        .send(annex_form(
            &format!("{page}/annexes"),
            "faux",
            "",
            "a.txt",
            b"texte",
        ))
        .await;
    forged.assert_status(403);

    let remove = select_attr(&html, "#annexes + .fr-table form", "action")[0].clone();
    let removed = browser.submit(&remove, &[]).await;
    let html = browser.follow(&removed).await.text();
    assert!(html.contains("Aucune annexe."), "{html}");

    let (_, _) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    let mut reader = Browser::signed_in(&app, "lecteur@clu.test").await;
    let html = reader.get(&page).await.text();
    assert!(
        select(&html, "#annexe-fichier").is_empty(),
        "a reader has no form"
    );
}
