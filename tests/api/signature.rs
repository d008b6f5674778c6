//! The compte-rendu's PAdES signature, checked by tools that are not clu:
//! poppler's `pdfsig` (with the test CA trusted in an NSS database) and
//! `openssl ts -verify` for the RFC 3161 timestamp of a real local
//! authority; `POST /verify` on intact and modified copies; a B-B
//! signature timestamped later. Foreign copies, revisions and bad input:
//! `signature_copies.rs`.

use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::common::pki::{self, LocalTsa, TestPki};
use crate::common::{Backend, TestApp};
use crate::minutes::{Scene, scene_in};
use crate::on_both_backends;
use clu::clock::Clock;

on_both_backends!(
    backend: a_signed_compte_rendu_proves_itself_to_pdfsig_and_openssl,
    without_the_authority_it_signs_b_b_and_a_later_pass_timestamps_it,
);

pub(crate) fn sha256(bytes: &[u8]) -> String {
    clu::documents::fingerprint(bytes)
}

/// An app signing with the test PKI's "cachet serveur" (PKCS#12), the CA
/// trusted, timestamps asked to `tsa_url`.
async fn app_signing_with(backend: Backend, pki: &TestPki, tsa_url: &str) -> TestApp {
    TestApp::configured(
        backend,
        Clock::system(),
        &[
            ("signing_pkcs12", json!(pki.signer_p12())),
            ("signing_pkcs12_password", json!(pki.p12_password())),
            ("tsa_url", json!(tsa_url)),
            ("trust_anchors", json!(pki.ca_pem())),
        ],
    )
    .await
}

/// The PDF's entry of a signed minutes' documents.
fn pdf_entry(minutes: &Value) -> Value {
    minutes["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .find(|d| d["format"] == "pdf")
        .expect("a signed PDF")
        .clone()
}

/// `POST /verify` of a copy, as an integration sends it.
pub(crate) async fn verify_copy(app: &TestApp, pdf: &[u8]) -> crate::common::Response {
    app.send(
        TestRequest::post()
            .uri("/verify")
            .insert_header(("Content-Type", "application/pdf"))
            .set_payload(pdf.to_vec()),
    )
    .await
}

pub(crate) fn written(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write the PDF");
    path
}

/// The signatures clu reads in a PDF.
pub(crate) fn signatures(pdf: &[u8]) -> Vec<clu::signature::pdf::Found> {
    clu::signature::pdf::signatures(pdf)
        .into_iter()
        .map(|s| s.expect("a readable signature"))
        .collect()
}

/// The bytes of the private key's PEM body: none may leak.
fn key_material(pki: &TestPki) -> Vec<String> {
    std::fs::read_to_string(pki.signer_key_pem())
        .expect("key PEM")
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        .map(str::to_owned)
        .collect()
}

/// Everything the database holds, as a dump would write it.
fn database_dump(app: &TestApp) -> Vec<u8> {
    match app.backend {
        Backend::Sqlite => {
            let url = app.state.settings.database_url.expose().to_owned();
            let path = url.trim_start_matches("sqlite://");
            let mut bytes = std::fs::read(path).expect("the SQLite file");
            bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
            bytes
        }
        Backend::Postgres => {
            let url = app.state.settings.database_url.expose().to_owned();
            let schema = url
                .split("search_path%3D")
                .nth(1)
                .expect("the test schema")
                .to_owned();
            let base = url.split('?').next().expect("base URL").to_owned();
            let bindir = std::process::Command::new("pg_config")
                .arg("--bindir")
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "/usr/lib/postgresql/15/bin".into());
            let output = std::process::Command::new(format!("{bindir}/pg_dump"))
                .args(["--schema", &schema, "--data-only", &base])
                .output()
                .expect("pg_dump");
            assert!(
                output.status.success(),
                "pg_dump: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            output.stdout
        }
    }
}

async fn a_signed_compte_rendu_proves_itself_to_pdfsig_and_openssl(backend: Backend) {
    let pki = TestPki::new();
    let tsa = LocalTsa::start(&pki);
    let scene = scene_in(app_signing_with(backend, &pki, &tsa.url).await).await;
    let (minutes, _) = scene.signed("Aucune remarque.").await;
    let entry = pdf_entry(&minutes);
    assert_eq!(entry["signature_level"], "B-T", "timestamped: {entry}");
    let pdf = scene
        .document("pdf", "")
        .await
        .assert_status(200)
        .body
        .clone();
    assert_eq!(
        sha256(&pdf),
        entry["sha256"],
        "the fingerprint is the signed PDF's"
    );
    assert_eq!(tsa.requests.load(std::sync::atomic::Ordering::SeqCst), 1);

    // poppler, trusting the test CA.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = written(&dir, "compte-rendu.pdf", &pdf);
    let nss = pki.nss_db_trusting(&pki.ca_pem());
    let (ok, report) = pki::pdfsig(&file, Some(&nss));
    assert!(ok, "{report}");
    for expected in [
        "Signer Certificate Common Name: Préfecture de test - cachet serveur",
        "Signing Time:",
        "Signature Type: ETSI.CAdES.detached",
        "Total document signed",
        "Signature Validation: Signature is Valid.",
        "Certificate Validation: Certificate is Trusted.",
    ] {
        assert!(report.contains(expected), "{expected:?} not in:\n{report}");
    }

    // The dictionary says who approved; the timestamp is over the
    // signature value, checked by openssl against the test CA.
    let found = signatures(&pdf);
    assert_eq!(found.len(), 1);
    let reason = found[0].reason.clone().expect("a /Reason");
    assert!(
        reason.starts_with("Approuvé par ")
            && reason.ends_with(", La Secrétaire Générale, par délégation du Préfet"),
        "{reason}"
    );
    let cms = clu::signature::cms::parse(&found[0].contents).expect("CMS");
    assert!(cms.names_its_certificate(), "signing-certificate-v2");
    let token = cms.timestamp_token().expect("a timestamp token");
    let (stamped, output) =
        pki::openssl_ts_verify(&token, cms.signer.signature.as_bytes(), &pki.ca_pem());
    assert!(stamped, "{output}");
    let (wrong, _) = pki::openssl_ts_verify(&token, b"other data", &pki.ca_pem());
    assert!(!wrong, "the token is over the signature, not anything");

    // PDF/A-2b identification kept: the signature is an incremental update.
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"), "PDF/A part");
    assert!(text.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    assert!(pdf.ends_with(b"%%EOF\n"));

    // clu's own check, as JSON and as the French page.
    let checked = verify_copy(&scene.app, &pdf)
        .await
        .assert_status(200)
        .json();
    assert_eq!(checked["valid"], true, "{checked}");
    assert_eq!(checked["identical"], true);
    assert_eq!(checked["document"]["revision"], 1);
    assert_eq!(
        checked["report"]["signatures"][0]["timestamped_by"],
        "clu test TSA"
    );
    assert_eq!(
        checked["report"]["signatures"][0]["local_certificate"],
        false
    );

    // One byte changed inside what is signed: both say it is broken.
    let mut altered = pdf.clone();
    let at = pdf.len() / 3;
    altered[at] = altered[at].wrapping_add(1);
    let file = written(&dir, "modifie.pdf", &altered);
    let (_, report) = pki::pdfsig(&file, Some(&nss));
    assert!(!report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Signature Validation:"), "{report}");
    let checked = verify_copy(&scene.app, &altered)
        .await
        .assert_status(200)
        .json();
    assert_eq!(checked["valid"], false);
    assert_eq!(checked["identical"], false);
    assert_eq!(checked["report"]["signatures"][0]["intact"], false);
    assert!(
        checked["verdict"]
            .as_str()
            .expect("verdict")
            .contains("modifié après sa signature"),
        "{checked}"
    );
    assert!(
        checked["report"]["signatures"][0]["problem"]
            .as_str()
            .expect("which check failed")
            .contains("empreinte du contenu"),
        "{checked}"
    );

    // The private key is in no answer, no database row.
    let dump = String::from_utf8_lossy(&database_dump(&scene.app)).into_owned();
    assert!(dump.contains(&sha256(&pdf)), "the dump holds the documents");
    for line in key_material(&pki) {
        assert!(!dump.contains(&line), "key material in the database");
        assert!(!String::from_utf8_lossy(&pdf).contains(&line));
    }
    assert!(!dump.contains(pki.p12_password()));
}

async fn without_the_authority_it_signs_b_b_and_a_later_pass_timestamps_it(backend: Backend) {
    let pki = TestPki::new();
    let scene = scene_in(app_signing_with(backend, &pki, &pki::unreachable_url()).await).await;
    let (minutes, _) = scene.signed("Aucune remarque.").await;
    let entry = pdf_entry(&minutes);
    assert_eq!(
        entry["signature_level"], "B-B",
        "says it has no timestamp: {entry}"
    );
    let first = scene.document("pdf", "").await.body.clone();
    let checked = verify_copy(&scene.app, &first).await.json();
    assert_eq!(checked["valid"], true, "{checked}");
    assert!(
        checked["findings"][0]
            .as_str()
            .expect("finding")
            .contains("sans horodatage"),
        "{checked}"
    );
    let Scene {
        mut app, fixture, ..
    } = scene;
    assert_eq!(
        clu::worker::timestamps::run_once(&app.state)
            .await
            .expect("pass"),
        0,
        "the authority is still down"
    );

    // The authority answers again: one pass adds a document timestamp.
    let tsa = LocalTsa::start(&pki);
    let mut settings = (*app.state.settings).clone();
    settings.tsa_url = Some(tsa.url.clone());
    app.restart_with(settings).await;
    let admin = fixture.admin;
    assert_eq!(
        clu::worker::timestamps::run_once(&app.state)
            .await
            .expect("pass"),
        1
    );
    assert_eq!(
        clu::worker::timestamps::run_once(&app.state)
            .await
            .expect("pass"),
        0
    );
    let meeting = minutes["meeting_id"].as_str().expect("meeting");
    let now = app
        .get(&format!("/api/v1/meetings/{meeting}/minutes"), &admin)
        .await
        .json();
    let entry = pdf_entry(&now);
    assert_eq!(entry["signature_level"], "B-T");
    let stamped = app
        .get(
            &format!("/api/v1/meetings/{meeting}/compte-rendu.pdf"),
            &admin,
        )
        .await
        .body
        .clone();
    assert_eq!(sha256(&stamped), entry["sha256"]);
    assert!(
        stamped.starts_with(&first),
        "an incremental update keeps the signed bytes"
    );
    let found = signatures(&stamped);
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].sub_filter, "ETSI.RFC3161");

    let dir = tempfile::tempdir().expect("tempdir");
    let nss = pki.nss_db_trusting(&pki.ca_pem());
    let (_, report) = pki::pdfsig(&written(&dir, "horodate.pdf", &stamped), Some(&nss));
    // poppler 22.12 checks the signature, lists the document timestamp
    // without checking it ("Unable to validate this type of signature"):
    // openssl checks the token over the bytes it covers.
    assert_eq!(report.matches("Signature is Valid.").count(), 1, "{report}");
    assert!(
        report.contains("Signer Certificate Common Name: clu test TSA"),
        "{report}"
    );
    let covered = found[1].parts(&stamped).concat();
    let (ok, output) = pki::openssl_ts_verify(&found[1].contents, &covered, &pki.ca_pem());
    assert!(ok, "{output}");
    let (ok, _) = pki::openssl_ts_verify(&found[1].contents, &first, &pki.ca_pem());
    assert!(!ok, "the token is over the timestamped revision");
    let checked = verify_copy(&app, &stamped).await.json();
    assert_eq!(checked["valid"], true, "{checked}");
    assert_eq!(checked["identical"], true);
    assert_eq!(checked["report"]["signatures"][1]["kind"], "horodatage");
    assert_eq!(
        checked["report"]["signatures"][1]["timestamped_by"],
        "clu test TSA"
    );

    // The copy handed out before the timestamp still verifies, both ways.
    app.open(&format!("/verify/{}", sha256(&first)))
        .await
        .assert_status(200);
    let checked = verify_copy(&app, &first).await.json();
    assert_eq!(
        (checked["valid"].clone(), checked["identical"].clone()),
        (json!(true), json!(true))
    );
    let events = app.get("/api/v1/audit?limit=500", &admin).await.json();
    let stamps = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "minutes.timestamp")
        .count();
    assert_eq!(stamps, 1, "audited once");
}
