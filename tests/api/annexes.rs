//! Annexes: uploaded to an agenda item or a meeting, stored once per
//! content in the database, listed, renamed, reordered, deleted, and
//! downloaded byte for byte; limits and types enforced while the file
//! arrives; scoped to the structure; reached by members through their
//! answer link only for their meeting.

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::common::fixtures::{self, Committee};
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    backend: files_round_trip_are_stored_once_and_go_with_their_last_annex,
    limits_and_types_are_enforced_and_refusals_store_nothing,
    annexes_are_scoped_and_members_reach_their_meetings_only,
    the_dossier_holds_everything_in_order_with_a_true_manifest,
);

/// A PDF of `size` bytes: its header, then bytes that are not text.
pub fn pdf(size: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    while bytes.len() < size {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        bytes.push(state.to_le_bytes()[0]);
    }
    bytes.truncate(size);
    bytes
}

/// (contents, chunks) stored.
fn stored(app: &TestApp) -> (i64, i64) {
    use clu::db::schema::{annex_chunks, annex_contents};
    let mut conn = app.state.db.get().expect("conn");
    (
        annex_contents::table
            .count()
            .get_result(&mut *conn)
            .expect("count"),
        annex_chunks::table
            .count()
            .get_result(&mut *conn)
            .expect("count"),
    )
}

/// A committee, a meeting 30 days ahead and its agenda items' ids.
pub async fn scene(app: &TestApp) -> (Committee, String, Vec<String>) {
    let fixture = fixtures::committee(app).await;
    let meeting = fixtures::meeting(app, &fixture, 30).await;
    let items = app
        .get(
            &format!("/api/v1/meetings/{meeting}/agenda-items"),
            &fixture.secretariat,
        )
        .await
        .json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    (fixture, meeting, items)
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["file_name"].as_str().expect("name").to_owned())
        .collect()
}

async fn files_round_trip_are_stored_once_and_go_with_their_last_annex(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (fixture, meeting, items) = scene(&app).await;
    let sec = &fixture.secretariat;
    let bytes = pdf(2_500_000, 1);
    let first = app
        .upload(
            &format!("/api/v1/agenda-items/{}/annexes", items[1]),
            sec,
            "Résultats des audits 2022.pdf",
            &bytes,
        )
        .await;
    let first = first.assert_status(201).json();
    assert_eq!(first["media_type"], "application/pdf");
    assert_eq!(first["size"], 2_500_000);
    assert_eq!(first["item_number"], 2);
    assert_eq!(first["file_name"], "Résultats des audits 2022.pdf");
    // The same file on the meeting itself: stored once.
    let second = app
        .upload(
            &format!("/api/v1/meetings/{meeting}/annexes"),
            sec,
            "copie.pdf",
            &bytes,
        )
        .await
        .assert_status(201)
        .json();
    assert_eq!(second["sha256"], first["sha256"]);
    assert_eq!(
        stored(&app),
        (1, 3),
        "one content, in three chunks of 1 MiB"
    );
    let text = "Indicateur;Objectif;Résultat\nAccueil;90;87\n";
    app.upload(
        &format!("/api/v1/agenda-items/{}/annexes", items[0]),
        sec,
        "indicateurs.csv",
        text.as_bytes(),
    )
    .await
    .assert_status(201);

    let list = app
        .get(&format!("/api/v1/meetings/{meeting}/annexes"), sec)
        .await
        .json();
    assert_eq!(
        names(&list),
        [
            "indicateurs.csv",
            "Résultats des audits 2022.pdf",
            "copie.pdf"
        ],
        "in agenda order, the meeting's own documents last"
    );

    let id = first["id"].as_str().expect("id");
    let download = app.get(&format!("/api/v1/annexes/{id}/content"), sec).await;
    download.assert_status(200);
    assert_eq!(download.body, bytes, "byte for byte");
    assert_eq!(download.content_type(), "application/pdf");
    let header = |name: &str| {
        download
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff");
    let disposition = header("content-disposition");
    assert!(
        disposition.starts_with("attachment")
            && disposition.contains("filename*=UTF-8''R%C3%A9sultats"),
        "{disposition}"
    );

    let renamed = app
        .patch(
            &format!("/api/v1/annexes/{id}"),
            sec,
            json!({"file_name": "../Audits 2022.pdf"}),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(renamed["file_name"], "Audits 2022.pdf");
    let ids: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .rev()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect();
    let reordered = app
        .request(
            "PUT".parse().expect("method"),
            &format!("/api/v1/meetings/{meeting}/annexes/order"),
            Some(sec),
            Some(json!({"ids": ids})),
        )
        .await
        .assert_status(200)
        .json();
    // Still grouped by item, in the new order within each group.
    assert_eq!(
        names(&reordered),
        ["indicateurs.csv", "Audits 2022.pdf", "copie.pdf"]
    );
    assert!(app.audit_count(&fixture.admin, "annex.add", id).await == 1);

    app.delete(&format!("/api/v1/annexes/{id}"), sec)
        .await
        .assert_status(204);
    assert_eq!(stored(&app).0, 2, "the copy still uses the content");
    let copy = second["id"].as_str().expect("id");
    app.delete(&format!("/api/v1/annexes/{copy}"), sec)
        .await
        .assert_status(204);
    assert_eq!(
        stored(&app),
        (1, 1),
        "the PDF's bytes went with its last annex"
    );
}

/// The entries of a ZIP, in order, with their bytes.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let mut content = Vec::new();
            file.read_to_end(&mut content).expect("read");
            (file.name().expect("entry name").into_owned(), content)
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The dossier holds the convocation, the agenda and the annexes in agenda
/// order, and its manifest's fingerprints are those of its files.
async fn the_dossier_holds_everything_in_order_with_a_true_manifest(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (fixture, meeting, items) = scene(&app).await;
    let sec = &fixture.secretariat;
    let big = pdf(1_500_000, 8);
    app.upload(
        &format!("/api/v1/meetings/{meeting}/annexes"),
        sec,
        "présentation SP+.pdf",
        &big,
    )
    .await
    .assert_status(201);
    app.upload(
        &format!("/api/v1/agenda-items/{}/annexes", items[2]),
        sec,
        "questions.txt",
        "Questions des associations\n".as_bytes(),
    )
    .await
    .assert_status(201);
    app.upload(
        &format!("/api/v1/agenda-items/{}/annexes", items[0]),
        sec,
        "bilan\\2022.csv",
        "Bilan;2022\n".as_bytes(),
    )
    .await
    .assert_status(201);
    let response = app
        .get(&format!("/api/v1/meetings/{meeting}/dossier.zip"), sec)
        .await;
    response.assert_status(200);
    assert_eq!(response.content_type(), "application/zip");
    let entries = unzip(&response.body);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "00-convocation.html",
            "00-ordre-du-jour.txt",
            "01-point-1-2022.csv",
            "02-point-3-questions.txt",
            "03-reunion-présentation SP+.pdf",
            "MANIFESTE.txt",
        ]
    );
    assert_eq!(entries[4].1, big, "the annex byte for byte");
    let agenda = String::from_utf8(entries[1].1.clone()).expect("text");
    assert!(agenda.contains("1. Bilan qualité 2022"), "{agenda}");
    let manifest = String::from_utf8(entries[5].1.clone()).expect("text");
    for (name, bytes) in &entries[..5] {
        let line = format!("{name};{};{}", bytes.len(), sha256_hex(bytes));
        assert!(manifest.contains(&line), "{line} not in\n{manifest}");
    }
}

async fn limits_and_types_are_enforced_and_refusals_store_nothing(backend: Backend) {
    let app = TestApp::configured(
        backend,
        clu::clock::Clock::system(),
        &[("annex_max_meeting_mb", json!(45))],
    )
    .await;
    let (fixture, meeting, items) = scene(&app).await;
    let sec = &fixture.secretariat;
    let path = format!("/api/v1/agenda-items/{}/annexes", items[0]);

    let too_big = app
        .upload(&path, sec, "gros.pdf", &pdf(21 * 1024 * 1024, 2))
        .await;
    too_big.assert_problem(413);
    assert_eq!(stored(&app), (0, 0), "nothing kept of a refused file");

    for seed in 3..5 {
        app.upload(&path, sec, "vingt.pdf", &pdf(20 * 1024 * 1024, seed))
            .await
            .assert_status(201);
    }
    // 40 MB used of 45: the next 6 MB do not fit.
    app.upload(&path, sec, "six.pdf", &pdf(6 * 1024 * 1024, 5))
        .await
        .assert_problem(413);
    assert_eq!(stored(&app).0, 2);

    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend(std::iter::repeat_n(0u8, 4000));
    for (name, bytes) in [
        ("rapport.pdf", elf),
        (
            "page.pdf",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(),
        ),
    ] {
        let refused = app
            .upload(&path, sec, name, &bytes)
            .await
            .assert_problem(422);
        assert!(
            refused
                .to_string()
                .contains("PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG, JPEG, CSV ou texte"),
            "{refused}"
        );
    }
    let cleaned = app
        .upload(
            &path,
            sec,
            "../../etc/\u{7}bilan\n.txt",
            "Bilan qualité\n".as_bytes(),
        )
        .await
        .assert_status(201)
        .json();
    assert_eq!(cleaned["file_name"], "bilan.txt");
    assert_eq!(cleaned["media_type"], "text/plain");
    app.upload(&path, sec, "vide.txt", b"")
        .await
        .assert_problem(422);
    let not_multipart = app
        .post(
            &format!("/api/v1/meetings/{meeting}/annexes"),
            sec,
            json!({}),
        )
        .await;
    not_multipart.assert_problem(415);
}

async fn annexes_are_scoped_and_members_reach_their_meetings_only(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (fixture, meeting, items) = scene(&app).await;
    let sec = &fixture.secretariat;
    let bytes = pdf(40_000, 6);
    let annex = app
        .upload(
            &format!("/api/v1/agenda-items/{}/annexes", items[0]),
            sec,
            "bilan.pdf",
            &bytes,
        )
        .await
        .assert_status(201)
        .json();
    let id = annex["id"].as_str().expect("id");
    let other_meeting = fixtures::meeting(&app, &fixture, 60).await;
    let other = app
        .upload(
            &format!("/api/v1/meetings/{other_meeting}/annexes"),
            sec,
            "autre.pdf",
            &pdf(1000, 7),
        )
        .await
        .assert_status(201)
        .json();

    // Another structure sees nothing; a reader reads but does not upload.
    let (_, cher) = app.secretariat(&fixture.admin, "Préfecture du Cher").await;
    app.get(&format!("/api/v1/annexes/{id}/content"), &cher)
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/meetings/{meeting}/annexes"), &cher)
        .await
        .assert_problem(404);
    let (_, reader) = app
        .user(
            &fixture.admin,
            &fixture.structure,
            "reader",
            "lecteur@clu.test",
        )
        .await;
    app.upload(
        &format!("/api/v1/meetings/{meeting}/annexes"),
        &reader,
        "x.pdf",
        &bytes,
    )
    .await
    .assert_problem(403);
    assert_eq!(
        app.get(&format!("/api/v1/annexes/{id}/content"), &reader)
            .await
            .assert_status(200)
            .body,
        bytes
    );

    // The member's invitation lists it and their link serves it.
    app.post(
        &format!("/api/v1/meetings/{meeting}/invitations"),
        sec,
        json!({}),
    )
    .await
    .assert_status(202);
    app.deliver().await;
    let invitation = app
        .mails()
        .into_iter()
        .find(|m| m.to() == fixtures::EMAILS[0])
        .expect("an invitation to the first titular");
    assert!(
        invitation.text().contains("bilan.pdf"),
        "{}",
        invitation.text()
    );
    let link = invitation.rsvp_path().expect("link");
    let page = app.open(&link).await.text();
    assert!(
        page.contains(&format!("{link}/annexes/{id}")),
        "the answer page links it"
    );
    let served = app.open(&format!("{link}/annexes/{id}")).await;
    served.assert_status(200);
    assert_eq!(served.body, bytes);
    let other_id = other["id"].as_str().expect("id");
    let refused = app.open(&format!("{link}/annexes/{other_id}")).await;
    assert_eq!(refused.status.as_u16(), 404, "another meeting's annex");
    let dossier = app.open(&format!("{link}/dossier.zip")).await;
    dossier.assert_status(200);
    let entries = unzip(&dossier.body);
    let letters = String::from_utf8(entries[0].1.clone()).expect("html");
    assert!(
        letters.contains("Mme Anne TITULAIRE") && !letters.contains("Bruno MARTIN"),
        "the member's dossier holds their own letter"
    );
    assert_eq!(entries[2].1, bytes, "and the meeting's annex");

    // Added after the invitations: the invited are told in one call.
    let announced = app
        .post(
            &format!("/api/v1/meetings/{meeting}/annexes/announce"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(announced.assert_status(202).json()["queued"], 5);
    app.deliver().await;
    let updates: Vec<_> = app
        .mails()
        .into_iter()
        .filter(|m| {
            let text = m.text();
            text.contains("Documents de la réunion") && text.contains("bilan.pdf")
        })
        .collect();
    assert_eq!(updates.len(), 5, "an update to each invited member");
    app.post(
        &format!("/api/v1/meetings/{other_meeting}/annexes/announce"),
        sec,
        json!({}),
    )
    .await
    .assert_problem(409);

    // Anonymising a member leaves the meeting's files as they were.
    app.post(
        &format!("/api/v1/members/{}/anonymize", fixture.titulars[0]),
        sec,
        json!({}),
    )
    .await
    .assert_status(200);
    assert_eq!(
        app.get(&format!("/api/v1/annexes/{id}/content"), sec)
            .await
            .body,
        bytes
    );
}
