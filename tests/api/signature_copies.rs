//! What `POST /verify` says of copies clu did not sign as they are: no
//! signature, another installation's key, bad input; and of each revision
//! of a compte-rendu signed twice.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::common::pki::{self, TestPki};
use crate::common::{Backend, PASSWORD, TestApp};
use crate::minutes::{Scene, scene_in};
use crate::on_both_backends;
use crate::signature::{signatures, verify_copy, written};

on_both_backends!(
    backend: copies_signed_elsewhere_or_not_at_all_are_told_apart,
    a_new_revision_is_signed_anew_and_the_first_stays_verifiable,
);

async fn copies_signed_elsewhere_or_not_at_all_are_told_apart(backend: Backend) {
    let pki = TestPki::new();
    let scene = scene_in(TestApp::new(backend).await).await;
    scene.submit("Aucune remarque.").await;
    let draft = scene
        .document("pdf", "")
        .await
        .assert_status(200)
        .body
        .clone();

    // No signature at all.
    let checked = verify_copy(&scene.app, &draft)
        .await
        .assert_status(200)
        .json();
    assert_eq!(checked["valid"], false);
    assert_eq!(
        checked["verdict"],
        "Ce fichier ne porte aucune signature électronique."
    );

    // Signed, intact, by a key that is not this installation's.
    let mut settings = (*scene.app.state.settings).clone();
    settings.signing_certificate = Some(pki.other_cert_pem());
    settings.signing_key = Some(pki.other_key_pem());
    let other = clu::signature::Signer::load(&settings).expect("the other signer");
    let signatory = clu::signature::Signatory {
        name: "Quelqu'un d'autre".into(),
        function: String::new(),
        delegation: String::new(),
        structure: "Ailleurs".into(),
        time: chrono::Utc::now(),
        verify_url: "https://ailleurs.example/verify".into(),
    };
    let foreign = other
        .sign_pdf(&draft, &signatory, None)
        .expect("signed elsewhere");
    let checked = verify_copy(&scene.app, &foreign.bytes).await.json();
    assert_eq!(checked["valid"], false, "{checked}");
    assert_eq!(checked["report"]["signatures"][0]["intact"], true);
    assert_eq!(checked["report"]["signatures"][0]["ours"], false);
    assert_eq!(checked["report"]["signatures"][0]["trusted"], false);
    assert!(checked["document"].is_null());
    assert!(
        checked["verdict"]
            .as_str()
            .expect("verdict")
            .contains("pas été signé par cette installation"),
        "{checked}"
    );

    // Bad input: a clear 4xx each time, never a 500.
    verify_copy(&scene.app, b"ceci n'est pas un PDF")
        .await
        .assert_problem(415);
    scene
        .app
        .send(
            TestRequest::post()
                .uri("/verify")
                .insert_header(("Content-Type", "text/plain"))
                .set_payload("%PDF-1.7"),
        )
        .await
        .assert_problem(415);
    let mut huge = b"%PDF-1.7\n".to_vec();
    huge.resize(21 * 1024 * 1024, b' ');
    verify_copy(&scene.app, &huge).await.assert_problem(413);
    // A bomb: a stream inflating to a gigabyte, signature dictionaries with
    // absurd byte ranges and nesting. Nothing is inflated; each is refused.
    let mut bomb = b"%PDF-1.7\n1 0 obj\n<</Filter/FlateDecode/Length 1048576>>\nstream\n".to_vec();
    bomb.extend(std::iter::repeat_n(0x78u8, 1 << 20));
    bomb.extend_from_slice(b"\nendstream\nendobj\n2 0 obj\n<</Type/Sig/ByteRange[0 999999999 999999999 5]/Contents<00>>>\nendobj\n3 0 obj\n<</Type/Sig/ByteRange[0 1 2 3]/Contents");
    bomb.extend(std::iter::repeat_n(b'[', 100_000));
    bomb.extend_from_slice(b"\n%%EOF\n");
    let checked = verify_copy(&scene.app, &bomb)
        .await
        .assert_status(200)
        .json();
    assert_eq!(checked["valid"], false);
    assert!(
        checked["report"]["signatures"]
            .as_array()
            .is_some_and(|s| s.iter().all(|s| s["intact"] == false))
    );
    // A hundred thousand signature dictionaries: the first sixteen are
    // read, the rest reported as not checked.
    let mut many = b"%PDF-1.7\n".to_vec();
    for n in 0..100_000 {
        many.extend_from_slice(format!("{n} 0 obj <</ByteRange[0 1 2 3]>> endobj\n").as_bytes());
    }
    let checked = verify_copy(&scene.app, &many)
        .await
        .assert_status(200)
        .json();
    let listed = checked["report"]["signatures"]
        .as_array()
        .expect("signatures");
    assert_eq!(listed.len(), 17, "{}", listed.len());
    assert!(
        listed[16]["problem"]
            .as_str()
            .expect("problem")
            .contains("plus de 16 signatures")
    );

    // The French page, as a browser sends the form.
    let page = scene
        .app
        .upload("/verify", &scene.reader, "copie.pdf", &foreign.bytes)
        .await;
    assert_eq!(page.status.as_u16(), 200);
    let form = scene.app.open("/verify").await;
    assert_eq!(form.status.as_u16(), 200);
    assert!(form.text().contains("enctype=\"multipart/form-data\""));
    let html = scene
        .app
        .send(
            TestRequest::post()
                .uri("/verify")
                .insert_header(("Accept", "text/html"))
                .insert_header(("Content-Type", "application/pdf"))
                .set_payload(foreign.bytes.clone()),
        )
        .await;
    assert!(html.content_type().starts_with("text/html"));
    let text = html.text();
    assert!(text.contains("Signature non valide"), "{text}");
    assert!(
        text.contains("pas été signé par cette installation"),
        "{text}"
    );
}

async fn a_new_revision_is_signed_anew_and_the_first_stays_verifiable(backend: Backend) {
    // No certificate configured: the installation's local one.
    let scene = scene_in(TestApp::new(backend).await).await;
    let (_, _) = scene.signed("Première rédaction.").await;
    let first = scene.document("pdf", "").await.body.clone();
    let Scene {
        app,
        sec,
        base,
        meeting,
        items,
        ..
    } = &scene;
    app.post(&format!("{base}/revise"), sec, json!({}))
        .await
        .assert_status(200);
    crate::minutes::put(
        app,
        sec,
        meeting,
        crate::minutes::minutes_body(items, "Révisé."),
    )
    .await
    .assert_status(200);
    app.post(&format!("{base}/submit"), sec, json!({}))
        .await
        .assert_status(200);
    scene
        .sign(json!({"password": PASSWORD}))
        .await
        .assert_status(200);
    let second = scene.document("pdf", "").await.body.clone();
    assert_eq!(scene.document("pdf", "?revision=1").await.body, first);
    assert_ne!(first, second);

    let dir = tempfile::tempdir().expect("tempdir");
    for (revision, pdf) in [(1, &first), (2, &second)] {
        let checked = verify_copy(app, pdf).await.json();
        assert_eq!(checked["valid"], true, "{checked}");
        assert_eq!(checked["document"]["revision"], revision);
        assert_eq!(
            checked["report"]["signatures"][0]["local_certificate"],
            true
        );
        assert!(
            checked["findings"].to_string().contains("certificat local"),
            "{checked}"
        );
        let (_, report) = pki::pdfsig(&written(&dir, &format!("r{revision}.pdf"), pdf), None);
        assert!(report.contains("Signature is Valid."), "{report}");
        assert!(
            report.contains("Cachet local clu (non qualifié)"),
            "{report}"
        );
    }
    let found = signatures(&first);
    assert!(
        found[0]
            .contact
            .as_deref()
            .is_some_and(|c| c.contains("non qualifié")),
        "the signature panel says the certificate is local"
    );
}
