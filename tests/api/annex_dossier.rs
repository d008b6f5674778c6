//! A new version of an annex in place of the old one, and the dossier de
//! séance as one PDF when every annex is a PDF (read back with poppler).

use serde_json::json;

use crate::annexes::{pdf as not_a_pdf, scene};
use crate::common::fixtures;
use crate::common::pdf::{page_sizes, page_text, real_pdf};
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: a_new_version_takes_the_annex_place_and_the_old_bytes_go,
    the_dossier_is_one_pdf_when_every_annex_is_one,
);

async fn a_new_version_takes_the_annex_place_and_the_old_bytes_go(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (fixture, meeting, items) = scene(&app).await;
    let sec = &fixture.secretariat;
    let first = app
        .upload(
            &format!("/api/v1/agenda-items/{}/annexes", items[1]),
            sec,
            "audits v1.pdf",
            &real_pdf(1, "v1"),
        )
        .await
        .assert_status(201)
        .json();
    app.upload(
        &format!("/api/v1/meetings/{meeting}/annexes"),
        sec,
        "programme.pdf",
        &real_pdf(1, "programme"),
    )
    .await
    .assert_status(201);
    let id = first["id"].as_str().expect("id");
    let v2 = real_pdf(2, "v2");
    let replaced = app
        .upload_put(
            &format!("/api/v1/annexes/{id}/content"),
            sec,
            "audits v2.pdf",
            &v2,
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(replaced["id"], id, "the same annex");
    assert_eq!(replaced["agenda_item_id"], items[1].as_str());
    assert_eq!(replaced["position"], first["position"]);
    assert_eq!(replaced["file_name"], "audits v2.pdf");
    assert_eq!(replaced["size"], v2.len());
    assert_ne!(replaced["sha256"], first["sha256"]);
    let served = app.get(&format!("/api/v1/annexes/{id}/content"), sec).await;
    assert_eq!(served.assert_status(200).body, v2, "the new bytes");
    let list = app
        .get(&format!("/api/v1/meetings/{meeting}/annexes"), sec)
        .await
        .json();
    assert_eq!(list["total"], 2, "replaced, not added");
    {
        use clu::db::schema::annex_contents::dsl;
        use diesel::prelude::*;
        let mut conn = app.state.db.get().expect("conn");
        let old: i64 = dsl::annex_contents
            .filter(dsl::sha256.eq(first["sha256"].as_str().expect("sha")))
            .count()
            .get_result(&mut *conn)
            .expect("count");
        assert_eq!(old, 0, "the old bytes, used by no other annex, are gone");
    }
    assert_eq!(
        app.audit_count(&fixture.admin, "annex.replace", id).await,
        1
    );

    // A refused version leaves the annex as it was.
    app.upload_put(
        &format!("/api/v1/annexes/{id}/content"),
        sec,
        "page.html",
        b"<!doctype html><html><body>x</body></html>",
    )
    .await
    .assert_problem(422);
    let list = app
        .get(&format!("/api/v1/meetings/{meeting}/annexes"), sec)
        .await
        .json();
    let kept = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["id"] == id)
        .expect("still there");
    assert_eq!(kept["sha256"], replaced["sha256"]);

    // Another structure's caller does not find it; a reader may not.
    let (_, reader) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    app.upload_put(
        &format!("/api/v1/annexes/{id}/content"),
        &reader,
        "x.pdf",
        &v2,
    )
    .await
    .assert_problem(403);
    let (_, cher) = app.secretariat(&fixture.admin, "Préfecture du Cher").await;
    app.upload_put(
        &format!("/api/v1/annexes/{id}/content"),
        &cher,
        "x.pdf",
        &v2,
    )
    .await
    .assert_problem(404);
}

async fn the_dossier_is_one_pdf_when_every_annex_is_one(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (fixture, meeting, items) = scene(&app).await;
    let sec = &fixture.secretariat;
    // In agenda order: point 1's two pages, then the meeting's own page.
    app.upload(
        &format!("/api/v1/meetings/{meeting}/annexes"),
        sec,
        "programme.pdf",
        &real_pdf(1, "programme"),
    )
    .await
    .assert_status(201);
    app.upload(
        &format!("/api/v1/agenda-items/{}/annexes", items[0]),
        sec,
        "bilan.pdf",
        &real_pdf(2, "bilan"),
    )
    .await
    .assert_status(201);
    let response = app
        .get(&format!("/api/v1/meetings/{meeting}/dossier.pdf"), sec)
        .await;
    response.assert_status(200);
    assert_eq!(response.content_type(), "application/pdf");
    let pdf = &response.body;
    let sizes = page_sizes(pdf);
    let annex_pages: Vec<usize> = (0..sizes.len())
        .filter(|&i| sizes[i] == (300.0, 200.0))
        .map(|i| i + 1)
        .collect();
    let total = sizes.len();
    assert_eq!(
        annex_pages,
        [total - 2, total - 1, total],
        "the annexes' pages last, at their own size: {sizes:?}"
    );
    assert!(page_text(pdf, total - 2).contains("bilan page 1"));
    assert!(page_text(pdf, total - 1).contains("bilan page 2"));
    assert!(page_text(pdf, total).contains("programme page 1"));
    let cover = page_text(pdf, 1);
    assert!(cover.contains("DOSSIER DE SÉANCE"), "{cover}");
    assert!(cover.contains("Bilan qualité 2022"), "{cover}");
    let letters = total - 1 - 3;
    assert!(letters >= 1, "at least one convocation letter");
    assert!(page_text(pdf, 2).contains("J’ai l’honneur de vous convier"));

    // The member's link gives theirs: one letter.
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        sec,
        json!({}),
    )
    .await
    .assert_status(202);
    app.deliver().await;
    let link = app
        .mails()
        .into_iter()
        .find(|m| m.to() == fixtures::EMAILS[0])
        .and_then(|m| m.rsvp_path())
        .expect("an invitation with its link");
    let page = app.open(&link).await.text();
    assert!(
        page.contains(&format!("{link}/dossier.pdf")),
        "offered on the page"
    );
    let theirs = app.open(&format!("{link}/dossier.pdf")).await;
    theirs.assert_status(200);
    assert_eq!(page_sizes(&theirs.body).len(), 1 + 1 + 3);

    // A spreadsheet among the annexes: the ZIP only, said so.
    app.upload(
        &format!("/api/v1/agenda-items/{}/annexes", items[1]),
        sec,
        "chiffres.csv",
        b"Indicateur;2022\nAccueil;87\n",
    )
    .await
    .assert_status(201);
    let refused = app
        .get(&format!("/api/v1/meetings/{meeting}/dossier.pdf"), sec)
        .await
        .assert_problem(409);
    let detail = refused["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("chiffres.csv") && detail.contains("ZIP"),
        "{detail}"
    );
    let page = app.open(&link).await.text();
    assert!(!page.contains("dossier.pdf"), "no longer offered");
}

/// A file that starts like a PDF but is none cannot be reprinted: 409,
/// never a 500.
#[actix_web::test]
async fn an_unreadable_pdf_is_refused_from_the_one_pdf_dossier() {
    let app = TestApp::new(Backend::Sqlite).await;
    let (fixture, meeting, _) = scene(&app).await;
    let sec = &fixture.secretariat;
    app.upload(
        &format!("/api/v1/meetings/{meeting}/annexes"),
        sec,
        "abîmé.pdf",
        &not_a_pdf(4096, 3),
    )
    .await
    .assert_status(201);
    let refused = app
        .get(&format!("/api/v1/meetings/{meeting}/dossier.pdf"), sec)
        .await
        .assert_problem(409);
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("abîmé.pdf")
    );
}
