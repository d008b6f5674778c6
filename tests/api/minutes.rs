//! Minutes and the compte-rendu: the workflow with its 403s and 409s, the
//! signature freezing stored bytes, verification, revisions, distribution
//! through real SMTP with the PDF attached.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::fixtures::{self, Committee};
use crate::common::smtp::SmtpSink;
use crate::common::{Backend, PASSWORD, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: drafts_are_checked_and_written_by_the_secretariat_only,
    submitted_minutes_are_returned_or_signed_by_their_signatory,
    signing_freezes_the_documents_and_they_verify,
    a_revision_leaves_the_signed_one_intact,
    the_password_asked_at_signing_is_throttled_and_audited,
    a_corrupt_letterhead_fails_instead_of_printing_none,
    signed_minutes_are_distributed_with_the_pdf,
    signed_minutes_freeze_their_annexes,
);

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A held meeting with its agenda; returns (meeting, agenda item ids).
pub(crate) async fn held_meeting(app: &TestApp, fixture: &Committee) -> (String, Vec<String>) {
    let meeting = fixtures::meeting(app, fixture, 30).await;
    let sec = &fixture.secretariat;
    let early = app
        .request(
            "PUT".parse().expect("method"),
            &format!("/api/v1/meetings/{meeting}/minutes"),
            Some(sec),
            Some(json!({})),
        )
        .await;
    early.assert_problem(409);
    let items = fixtures::hold(app, fixture, &meeting).await;
    (meeting, items)
}

pub(crate) fn minutes_body(items: &[String], remark: &str) -> Value {
    json!({
        "opening": "Mme la Présidente ouvre la séance et remercie les participants.",
        "items": [
            {"agenda_item_id": items[0], "body": "Le bilan qualité 2022 est présenté.\n\nIl est adopté.", "remarks": remark},
            {"agenda_item_id": items[1], "body": "Les audits sont présentés."}
        ],
        "post_meeting_notes": "Date de l'audit externe communiquée après la réunion.",
        "closing_time": "15h55"
    })
}

pub(crate) async fn put(
    app: &TestApp,
    token: &str,
    meeting: &str,
    body: Value,
) -> crate::common::Response {
    app.request(
        "PUT".parse().expect("method"),
        &format!("/api/v1/meetings/{meeting}/minutes"),
        Some(token),
        Some(body),
    )
    .await
}

/// A held meeting with its staff: the secrétariat, a reader, the
/// structure's signatory and another structure's.
pub(crate) struct Scene {
    pub(crate) app: TestApp,
    pub(crate) fixture: Committee,
    pub(crate) sec: String,
    pub(crate) reader: String,
    pub(crate) signatory: String,
    pub(crate) foreign_signatory: String,
    pub(crate) meeting: String,
    pub(crate) items: Vec<String>,
    pub(crate) base: String,
}

async fn scene(backend: Backend) -> Scene {
    scene_in(TestApp::new(backend).await).await
}

/// The scene in an app of the test's own (its settings).
pub(crate) async fn scene_in(app: TestApp) -> Scene {
    let fixture = fixtures::committee(&app).await;
    let sec = fixture.secretariat.clone();
    let (_, reader) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    let (_, signatory) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "signatory",
            "signataire@clu.test",
        )
        .await;
    let (other_structure, _) = app.secretariat(&fixture.admin, "Préfecture du Cher").await;
    let (_, foreign_signatory) = app
        .user(
            &fixture.admin,
            &other_structure,
            "signatory",
            "signataire-cher@clu.test",
        )
        .await;
    let (meeting, items) = held_meeting(&app, &fixture).await;
    let base = format!("/api/v1/meetings/{meeting}/minutes");
    Scene {
        app,
        fixture,
        sec,
        reader,
        signatory,
        foreign_signatory,
        meeting,
        items,
        base,
    }
}

impl Scene {
    /// Saves the draft with `remark` and submits it.
    pub(crate) async fn submit(&self, remark: &str) {
        put(
            &self.app,
            &self.sec,
            &self.meeting,
            minutes_body(&self.items, remark),
        )
        .await
        .assert_status(200);
        self.app
            .post(&format!("{}/submit", self.base), &self.sec, json!({}))
            .await
            .assert_status(200);
    }

    pub(crate) async fn sign(&self, body: Value) -> crate::common::Response {
        self.app
            .post(&format!("{}/sign", self.base), &self.signatory, body)
            .await
    }

    /// Submits and signs; returns the minutes and each format's fingerprint.
    pub(crate) async fn signed(&self, remark: &str) -> (Value, Vec<(String, String)>) {
        self.submit(remark).await;
        let signed = self
            .sign(json!({"password": PASSWORD, "function": "La Secrétaire Générale", "delegation": "Pour le Préfet et par délégation"}))
            .await
            .assert_status(200)
            .json();
        let fingerprints = signed["documents"]
            .as_array()
            .expect("documents")
            .iter()
            .map(|d| {
                (
                    d["format"].as_str().expect("format").to_owned(),
                    d["sha256"].as_str().expect("sha").to_owned(),
                )
            })
            .collect();
        (signed, fingerprints)
    }

    pub(crate) async fn document(&self, format: &str, query: &str) -> crate::common::Response {
        self.app
            .get(
                &format!(
                    "/api/v1/meetings/{}/compte-rendu.{format}{query}",
                    self.meeting
                ),
                &self.reader,
            )
            .await
    }
}

async fn drafts_are_checked_and_written_by_the_secretariat_only(backend: Backend) {
    let Scene {
        app,
        sec,
        reader,
        signatory,
        meeting,
        items,
        ..
    } = scene(backend).await;
    put(&app, &reader, &meeting, minutes_body(&items, ""))
        .await
        .assert_problem(403);
    put(&app, &signatory, &meeting, minutes_body(&items, ""))
        .await
        .assert_problem(403);
    let bad = put(
        &app,
        &sec,
        &meeting,
        json!({"items": [{"agenda_item_id": "nope"}], "closing_time": "25h99"}),
    )
    .await;
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["closing_time", "items[0].agenda_item_id"]);
    let draft = put(
        &app,
        &sec,
        &meeting,
        minutes_body(&items, "Pas de remarque particulière."),
    )
    .await
    .assert_status(200)
    .json();
    assert_eq!(
        (draft["status"].as_str(), draft["revision"].as_i64()),
        (Some("draft"), Some(1))
    );
    assert_eq!(draft["closing_time"], "15:55");
    put(
        &app,
        &sec,
        &meeting,
        minutes_body(&items, "M. Bruno MARTIN salue la démarche."),
    )
    .await
    .assert_status(200);
    assert_eq!(
        app.get(&format!("/api/v1/meetings/{meeting}"), &sec)
            .await
            .json()["status"],
        "minutes_draft"
    );
    let preview = app
        .get(
            &format!("/api/v1/meetings/{meeting}/compte-rendu.html"),
            &sec,
        )
        .await
        .text();
    assert!(preview.contains("PROJET"), "a draft is marked");
    assert!(
        preview.contains("M. Bruno MARTIN salue la démarche."),
        "the last save shows"
    );
}

async fn submitted_minutes_are_returned_or_signed_by_their_signatory(backend: Backend) {
    let scene = scene(backend).await;
    let Scene {
        app,
        sec,
        reader,
        signatory,
        foreign_signatory,
        meeting,
        items,
        base,
        ..
    } = &scene;
    put(app, sec, meeting, minutes_body(items, ""))
        .await
        .assert_status(200);
    app.post(&format!("{base}/submit"), reader, json!({}))
        .await
        .assert_problem(403);
    app.post(&format!("{base}/submit"), sec, json!({}))
        .await
        .assert_status(200);
    put(app, sec, meeting, minutes_body(items, ""))
        .await
        .assert_problem(409);
    app.post(&format!("{base}/sign"), sec, json!({"password": PASSWORD}))
        .await
        .assert_problem(403);
    app.post(
        &format!("{base}/sign"),
        foreign_signatory,
        json!({"password": PASSWORD}),
    )
    .await
    .assert_problem(404);
    let returned = app
        .post(
            &format!("{base}/return"),
            signatory,
            json!({"comment": "Préciser la date de l'audit externe."}),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(returned["status"], "draft");
    assert_eq!(
        returned["comments"][0]["comment"],
        "Préciser la date de l'audit externe."
    );
    scene
        .sign(json!({"password": PASSWORD}))
        .await
        .assert_problem(409);
    app.post(&format!("{base}/submit"), sec, json!({}))
        .await
        .assert_status(200);
    scene
        .sign(json!({"password": "pas le bon mot de passe"}))
        .await
        .assert_problem(401);
    assert_eq!(
        app.get(base, sec).await.json()["status"],
        "submitted",
        "a wrong password signs nothing"
    );
}

async fn signing_freezes_the_documents_and_they_verify(backend: Backend) {
    let mut scene = scene(backend).await;
    let (signed, fingerprints) = scene.signed("M. Bruno MARTIN salue la démarche.").await;
    let Scene {
        sec,
        signatory,
        meeting,
        items,
        base,
        ..
    } = &scene;
    let app = &scene.app;
    assert_eq!(signed["status"], "signed");
    assert_eq!(signed["signer_name"], "signataire@clu.test");
    assert_eq!(
        app.get(&format!("/api/v1/meetings/{meeting}"), sec)
            .await
            .json()["status"],
        "minutes_signed"
    );
    put(app, sec, meeting, minutes_body(items, ""))
        .await
        .assert_problem(409);
    app.post(
        &format!("{base}/return"),
        signatory,
        json!({"comment": "trop tard"}),
    )
    .await
    .assert_problem(409);
    assert_eq!(fingerprints.len(), 3);
    let mut first = Vec::new();
    for (format, fingerprint) in &fingerprints {
        let response = scene.document(format, "").await;
        response.assert_status(200);
        assert_eq!(
            &sha256(&response.body),
            fingerprint,
            "{format}: the stored bytes"
        );
        first.push(response.body);
    }
    let html = String::from_utf8_lossy(&first[0]).into_owned();
    assert!(
        !html.contains(">PROJET<"),
        "a signed document carries no draft mark"
    );
    assert!(
        html.contains("Pour le Préfet et par délégation")
            && html.contains("M. Bruno MARTIN salue la démarche."),
        "{html}"
    );
    assert!(first[2].starts_with(b"%PDF"), "a real PDF");

    // After a restart, the same bytes.
    scene.app.restart().await;
    let app = &scene.app;
    for ((format, fingerprint), before) in fingerprints.iter().zip(&first) {
        let again = scene.document(format, "").await;
        assert_eq!(&again.body, before, "{format} changed after a restart");
        let verified = app
            .open(&format!("/verify/{fingerprint}"))
            .await
            .assert_status(200)
            .json();
        assert_eq!(verified["revision"], 1);
        assert_eq!(verified["format"], format.as_str());
        assert_eq!(
            verified["committee_name"],
            "Comité Local des Usagers de la Haute-Marne"
        );
        assert!(!verified.to_string().contains("Bruno"), "no member's data");
    }
    app.open(&format!("/verify/{}", sha256(b"another document")))
        .await
        .assert_problem(404);
    let page = app
        .send(
            actix_web::test::TestRequest::get()
                .uri(&format!("/verify/{}", fingerprints[2].1))
                .insert_header(("Accept", "text/html")),
        )
        .await;
    assert!(page.assert_status(200).text().contains("lang=\"fr\""));
}

async fn a_revision_leaves_the_signed_one_intact(backend: Backend) {
    let scene = scene(backend).await;
    let (_, fingerprints) = scene.signed("Première rédaction.").await;
    let first_pdf = scene.document("pdf", "").await.body;
    let Scene {
        app,
        sec,
        meeting,
        items,
        base,
        ..
    } = &scene;
    let revised = app
        .post(&format!("{base}/revise"), sec, json!({}))
        .await
        .assert_status(200)
        .json();
    assert_eq!(
        (revised["revision"].as_i64(), revised["status"].as_str()),
        (Some(2), Some("draft"))
    );
    put(
        app,
        sec,
        meeting,
        minutes_body(items, "Remarque corrigée en révision 2."),
    )
    .await
    .assert_status(200);
    assert_eq!(scene.document("pdf", "?revision=1").await.body, first_pdf);
    app.post(&format!("{base}/submit"), sec, json!({}))
        .await
        .assert_status(200);
    let second = scene
        .sign(json!({"password": PASSWORD}))
        .await
        .assert_status(200)
        .json();
    let second_pdf = second["documents"]
        .as_array()
        .expect("docs")
        .iter()
        .find(|d| d["format"] == "pdf")
        .expect("pdf")["sha256"]
        .as_str()
        .expect("sha")
        .to_owned();
    let first_fingerprint = &fingerprints
        .iter()
        .find(|(f, _)| f == "pdf")
        .expect("pdf")
        .1;
    assert_ne!(&second_pdf, first_fingerprint);
    for (fingerprint, revision) in [(first_fingerprint, 1), (&second_pdf, 2)] {
        let verified = app.open(&format!("/verify/{fingerprint}")).await.json();
        assert_eq!(verified["revision"], revision);
    }
    scene
        .document("pdf", "?revision=3")
        .await
        .assert_problem(404);
}

/// The password asked again at signing is throttled like the login: ten
/// wrong ones in the window, each audited, then 429 even for the right one.
async fn the_password_asked_at_signing_is_throttled_and_audited(backend: Backend) {
    let scene = scene(backend).await;
    scene.submit("").await;
    for attempt in 0..10 {
        let refused = scene
            .sign(json!({"password": format!("essai {attempt}")}))
            .await;
        refused.assert_problem(401);
    }
    let throttled = scene.sign(json!({"password": PASSWORD})).await;
    throttled.assert_problem(429);
    assert!(throttled.headers.get("retry-after").is_some());
    let me = scene
        .app
        .get("/api/v1/auth/me", &scene.signatory)
        .await
        .json();
    let signatory_id = me["id"].as_str().expect("id");
    assert_eq!(
        scene
            .app
            .audit_count(
                &scene.fixture.admin,
                "user.reauthentication_failed",
                signatory_id
            )
            .await,
        10
    );
    assert_eq!(
        scene.app.get(&scene.base, &scene.sec).await.json()["status"],
        "submitted",
        "nothing signed"
    );
}

/// A letterhead that is not the JSON list of lines it should be is an
/// error with its cause in the log, never a signed document without it.
async fn a_corrupt_letterhead_fails_instead_of_printing_none(backend: Backend) {
    use clu::store::{self, Scope};
    let scene = scene(backend).await;
    scene.submit("").await;
    {
        let mut conn = scene.app.state.db.get().expect("conn");
        let mut structure =
            store::structures::find(&mut conn, &Scope::All, &scene.fixture.structure)
                .expect("query")
                .expect("structure");
        structure.letterhead = "{pas du JSON".into();
        store::structures::update(&mut conn, &structure).expect("update");
    }
    scene
        .sign(json!({"password": PASSWORD}))
        .await
        .assert_problem(500);
    assert_eq!(
        scene.app.get(&scene.base, &scene.sec).await.json()["status"],
        "submitted",
        "nothing signed"
    );
    scene.document("html", "").await.assert_problem(500);
}

async fn signed_minutes_are_distributed_with_the_pdf(backend: Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::configured(
        backend,
        clu::clock::Clock::system(),
        &[("smtp_url", json!(sink.url()))],
    )
    .await;
    let fixture = fixtures::committee(&app).await;
    let sec = &fixture.secretariat;
    let (_, signatory) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "signatory",
            "signataire@clu.test",
        )
        .await;
    let (meeting, items) = held_meeting(&app, &fixture).await;
    app.deliver().await;
    let invitations = sink.wait_for(5).len();
    let base = format!("/api/v1/meetings/{meeting}/minutes");
    app.post(&format!("{base}/distribute"), sec, json!({}))
        .await
        .assert_problem(409);
    put(&app, sec, &meeting, minutes_body(&items, ""))
        .await
        .assert_status(200);
    app.post(&format!("{base}/submit"), sec, json!({}))
        .await
        .assert_status(200);
    let signed = app
        .post(
            &format!("{base}/sign"),
            &signatory,
            json!({"password": PASSWORD}),
        )
        .await
        .assert_status(200)
        .json();
    let pdf_sha = signed["documents"]
        .as_array()
        .expect("docs")
        .iter()
        .find(|d| d["format"] == "pdf")
        .expect("pdf")["sha256"]
        .as_str()
        .expect("sha")
        .to_owned();
    // The signatory was told of the submission, the secrétariat of the
    // signature.
    assert_eq!(app.deliver().await.sent, 2);
    let invitations = sink.wait_for(invitations + 2).len();

    let queued = app
        .post(&format!("{base}/distribute"), sec, json!({}))
        .await
        .assert_status(202)
        .json();
    assert_eq!(
        queued["queued"], 6,
        "five titulars and the substitute have an e-mail"
    );
    assert_eq!(app.deliver().await.sent, 6);
    let received = sink.wait_for(invitations + 6);
    for message in &received[invitations..] {
        let parsed = message.parsed();
        use mail_parser::MimeHeaders;
        let pdf = parsed
            .attachments()
            .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".pdf")))
            .expect("the PDF attached");
        assert_eq!(sha256(pdf.contents()), pdf_sha, "the signed bytes");
        assert!(
            message.subject().starts_with("Compte-rendu"),
            "{}",
            message.subject()
        );
    }
    let list = app.get(&format!("{base}/distribution"), sec).await.json();
    assert_eq!(list["total"], 6);
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|r| r["status"] == "sent" && r["sent_at"].is_string())
    );
}

/// The annexes are part of what was signed: once the compte-rendu is,
/// they can be neither added, renamed nor deleted.
async fn signed_minutes_freeze_their_annexes(backend: Backend) {
    let scene = scene(backend).await;
    let annex = scene
        .app
        .upload(
            &format!("/api/v1/agenda-items/{}/annexes", scene.items[0]),
            &scene.sec,
            "indicateurs.csv",
            "Indicateur;Résultat\nAccueil;87\n".as_bytes(),
        )
        .await
        .assert_status(201)
        .json();
    let id = annex["id"].as_str().expect("id");
    let sha = annex["sha256"].as_str().expect("sha256");
    scene.signed("").await;
    // The signed documents list it by its fingerprint, which /verify knows.
    let markdown = scene.document("md", "").await.assert_status(200).text();
    assert!(
        markdown.contains("## Pièces annexées") && markdown.contains(sha),
        "{markdown}"
    );
    let html = scene.document("html", "").await.assert_status(200).text();
    assert!(html.contains(sha) && html.contains("indicateurs.csv"));
    let pdf = scene.document("pdf", "").await;
    assert!(pdf.assert_status(200).body.starts_with(b"%PDF"));
    let verified = scene
        .app
        .open(&format!("/verify/{sha}"))
        .await
        .assert_status(200)
        .json();
    assert_eq!(verified["format"], "annexe");
    assert_eq!(verified["annex_name"], "indicateurs.csv");
    assert_eq!(verified["revision"], 1);
    // The distribution's link serves it, by that fingerprint, to anyone
    // holding it; an unknown fingerprint is a 404.
    let served = scene.app.open(&format!("/verify/{sha}/fichier")).await;
    assert_eq!(
        served.assert_status(200).body,
        "Indicateur;Résultat\nAccueil;87\n".as_bytes()
    );
    scene
        .app
        .open(&format!("/verify/{}/fichier", "0".repeat(64)))
        .await
        .assert_problem(404);
    scene
        .app
        .post(&format!("{}/distribute", scene.base), &scene.sec, json!({}))
        .await
        .assert_status(202);
    let mail: Vec<String> = {
        use clu::db::schema::outbox::dsl;
        use diesel::prelude::*;
        let mut conn = scene.app.state.db.get().expect("conn");
        dsl::outbox
            .filter(dsl::kind.eq("distribution"))
            .select(dsl::content)
            .load(&mut *conn)
            .expect("outbox")
    };
    assert!(!mail.is_empty());
    assert!(
        mail.iter()
            .all(|m| m.contains(&format!("/verify/{sha}/fichier"))),
        "the distribution e-mail links the annex"
    );
    let added = scene
        .app
        .upload(
            &format!("/api/v1/meetings/{}/annexes", scene.meeting),
            &scene.sec,
            "tard.txt",
            b"Trop tard",
        )
        .await;
    assert!(
        added.assert_problem(409)["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("signé")
    );
    scene
        .app
        .patch(
            &format!("/api/v1/annexes/{id}"),
            &scene.sec,
            json!({"file_name": "autre.csv"}),
        )
        .await
        .assert_problem(409);
    scene
        .app
        .delete(&format!("/api/v1/annexes/{id}"), &scene.sec)
        .await
        .assert_problem(409);
    scene
        .app
        .upload_put(
            &format!("/api/v1/annexes/{id}/content"),
            &scene.sec,
            "indicateurs-v2.csv",
            b"Indicateur;R\xc3\xa9sultat\nAccueil;90\n",
        )
        .await
        .assert_problem(409);
    let list = scene
        .app
        .get(
            &format!("/api/v1/meetings/{}/annexes", scene.meeting),
            &scene.reader,
        )
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["file_name"], "indicateurs.csv");
}
