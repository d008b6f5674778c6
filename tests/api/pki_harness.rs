//! The signature tests' harness itself (`common::pki`): the throwaway PKI,
//! the local RFC 3161 time-stamping authority, the NSS databases pdfsig
//! reads, checked with openssl, certutil, pk12util and pdfsig, without the
//! application.

use std::io::ErrorKind;
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::Ordering;

use crate::common::pdf::real_pdf;
use crate::common::pki::{self, LocalTsa, TestPki};

fn port_of(url: &str) -> u16 {
    url.trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("a loopback URL with a port, not {url}"))
}

fn assert_refused(url: &str) {
    match TcpStream::connect(("127.0.0.1", port_of(url))) {
        Err(error) => assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{url}: {error}"),
        Ok(_) => panic!("{url} still accepts connections"),
    }
}

fn run(command: &mut std::process::Command) -> (bool, String) {
    let output = command.output().expect("the command runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

fn subject(cert: &Path) -> String {
    let (ok, output) = pki::openssl([
        "x509".as_ref(),
        "-noout".as_ref(),
        "-subject".as_ref(),
        "-nameopt".as_ref(),
        "rfc2253,-esc_msb".as_ref(),
        "-in".as_ref(),
        cert.as_os_str(),
    ]);
    assert!(ok, "{output}");
    output.trim().trim_start_matches("subject=").to_owned()
}

#[test]
fn the_local_tsa_answers_a_query_openssl_verifies() {
    let pki = TestPki::new();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("compte-rendu.pdf");
    let content = real_pdf(1, "Compte-rendu");
    std::fs::write(&data, &content).expect("writing the data");
    let query = work.path().join("q.tsq");
    let (ok, output) = pki::openssl([
        "ts".as_ref(),
        "-query".as_ref(),
        "-data".as_ref(),
        data.as_os_str(),
        "-sha256".as_ref(),
        "-cert".as_ref(),
        "-out".as_ref(),
        query.as_os_str(),
    ]);
    assert!(ok, "{output}");
    let query = std::fs::read(&query).expect("reading the query");

    let tsa = LocalTsa::start(&pki);
    assert!(tsa.url.starts_with("http://127.0.0.1:") && tsa.url.ends_with("/tsa"));
    assert_eq!(tsa.requests.load(Ordering::SeqCst), 0);
    let (status, reply) = pki::post(&tsa.url, "application/timestamp-query", &query);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    assert_eq!(tsa.requests.load(Ordering::SeqCst), 1);

    let reply_file = work.path().join("r.tsr");
    std::fs::write(&reply_file, &reply).expect("writing the reply");
    let ca = pki.ca_pem();
    let (ok, output) = pki::openssl([
        "ts".as_ref(),
        "-verify".as_ref(),
        "-data".as_ref(),
        data.as_os_str(),
        "-in".as_ref(),
        reply_file.as_os_str(),
        "-CAfile".as_ref(),
        ca.as_os_str(),
    ]);
    assert!(ok && output.contains("Verification: OK"), "{output}");
    let (ok, text) = pki::openssl([
        "ts".as_ref(),
        "-reply".as_ref(),
        "-in".as_ref(),
        reply_file.as_os_str(),
        "-text".as_ref(),
    ]);
    assert!(ok, "{text}");
    for expected in [
        "Status: Granted.",
        "Hash Algorithm: sha256",
        "Accuracy: 0x01 seconds",
        "TSA: DirName:/CN=clu test TSA",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }

    // The token alone, as a signature's signature-time-stamp attribute
    // holds it: verified for its data under the CA only.
    let token_file = work.path().join("token.der");
    let (ok, output) = pki::openssl([
        "ts".as_ref(),
        "-reply".as_ref(),
        "-in".as_ref(),
        reply_file.as_os_str(),
        "-token_out".as_ref(),
        "-out".as_ref(),
        token_file.as_os_str(),
    ]);
    assert!(ok, "{output}");
    let token = std::fs::read(&token_file).expect("reading the token");
    let (ok, output) = pki::openssl_ts_verify(&token, &content, &ca);
    assert!(ok && output.contains("Verification: OK"), "{output}");
    let (ok, output) = pki::openssl_ts_verify(&token, b"other data", &ca);
    assert!(!ok, "{output}");
    let (ok, output) = pki::openssl_ts_verify(&token, &content, &pki.other_ca_pem());
    assert!(!ok, "{output}");

    // What is not a time-stamp query gets an HTTP error, counted too; the
    // TSA goes on answering.
    let (status, _) = pki::post(&tsa.url, "application/octet-stream", &query);
    assert_eq!(status, 415);
    // What openssl cannot read gets a TimeStampResp all the same, status
    // rejection, as RFC 3161 has it.
    let (status, rejection) = pki::post(&tsa.url, "application/timestamp-query", b"not DER");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&rejection));
    let rejection_file = work.path().join("rejection.tsr");
    std::fs::write(&rejection_file, &rejection).expect("writing the rejection");
    let (ok, text) = pki::openssl([
        "ts".as_ref(),
        "-reply".as_ref(),
        "-in".as_ref(),
        rejection_file.as_os_str(),
        "-text".as_ref(),
    ]);
    assert!(ok && text.contains("Status: Rejected."), "{text}");
    let (status, reply) = pki::post(&tsa.url, "application/timestamp-query", &query);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    assert_eq!(tsa.requests.load(Ordering::SeqCst), 4);

    let url = tsa.url.clone();
    drop(tsa);
    assert_refused(&url);
    assert_refused(&pki::unreachable_url());
}

#[test]
fn the_p12_holds_the_signer() {
    let pki = TestPki::new();
    let password = format!("pass:{}", pki.p12_password());
    let p12 = pki.signer_p12();
    let (ok, certificates) = pki::openssl([
        "pkcs12".as_ref(),
        "-in".as_ref(),
        p12.as_os_str(),
        "-passin".as_ref(),
        password.as_ref(),
        "-nokeys".as_ref(),
    ]);
    assert!(ok, "{certificates}");
    let signer_pem = std::fs::read_to_string(pki.signer_cert_pem()).expect("signer.pem");
    let ca_pem = std::fs::read_to_string(pki.ca_pem()).expect("ca.pem");
    assert!(certificates.contains(signer_pem.trim()), "{certificates}");
    assert!(certificates.contains(ca_pem.trim()), "{certificates}");
    assert!(
        certificates.contains("subject=C = FR, O = Pr\\C3\\A9fecture de test, CN = Pr\\C3\\A9fecture de test - cachet serveur"),
        "{certificates}"
    );

    // Its key is the signer's, unencrypted PKCS#8 in signer.key.
    let (ok, key) = pki::openssl([
        "pkcs12".as_ref(),
        "-in".as_ref(),
        p12.as_os_str(),
        "-passin".as_ref(),
        password.as_ref(),
        "-nocerts".as_ref(),
        "-nodes".as_ref(),
    ]);
    assert!(ok, "{key}");
    let signer_key = std::fs::read_to_string(pki.signer_key_pem()).expect("signer.key");
    assert!(
        signer_key.starts_with("-----BEGIN PRIVATE KEY-----"),
        "{signer_key}"
    );
    assert!(key.contains(signer_key.trim()), "{key}");

    // OpenSSL 3's defaults, under its password only.
    let (ok, info) = pki::openssl([
        "pkcs12".as_ref(),
        "-in".as_ref(),
        p12.as_os_str(),
        "-passin".as_ref(),
        password.as_ref(),
        "-info".as_ref(),
        "-noout".as_ref(),
    ]);
    assert!(ok, "{info}");
    assert!(info.contains("MAC: sha256"), "{info}");
    assert!(info.contains("PBES2, PBKDF2, AES-256-CBC"), "{info}");
    let (ok, _) = pki::openssl([
        "pkcs12".as_ref(),
        "-in".as_ref(),
        p12.as_os_str(),
        "-passin".as_ref(),
        "pass:wrong".as_ref(),
        "-noout".as_ref(),
    ]);
    assert!(!ok);

    // The names, UTF8String but the country.
    assert_eq!(subject(&pki.ca_pem()), pki::CA_SUBJECT);
    assert_eq!(subject(&pki.signer_cert_pem()), pki::SIGNER_SUBJECT);
    assert_eq!(subject(&pki.tsa_cert_pem()), pki::TSA_SUBJECT);
    assert_eq!(subject(&pki.other_ca_pem()), pki::OTHER_CA_SUBJECT);
    assert_eq!(subject(&pki.other_cert_pem()), pki::OTHER_SUBJECT);
    let signer = pki.signer_cert_pem();
    let (ok, asn1) = pki::openssl(["asn1parse".as_ref(), "-in".as_ref(), signer.as_os_str()]);
    assert!(ok, "{asn1}");
    assert!(
        asn1.contains("UTF8STRING        :Préfecture de test - cachet serveur"),
        "{asn1}"
    );
    assert!(asn1.contains("PRINTABLESTRING   :FR"), "{asn1}");

    // The extensions.
    let text = |cert: &Path| {
        let (ok, text) = pki::openssl([
            "x509".as_ref(),
            "-noout".as_ref(),
            "-text".as_ref(),
            "-in".as_ref(),
            cert.as_os_str(),
        ]);
        assert!(ok, "{text}");
        text
    };
    let ca_text = text(&pki.ca_pem());
    assert!(ca_text.contains("Public-Key: (3072 bit)"), "{ca_text}");
    assert!(
        ca_text.contains("X509v3 Basic Constraints: critical\n                CA:TRUE"),
        "{ca_text}"
    );
    assert!(
        ca_text.contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"),
        "{ca_text}"
    );
    let signer_text = text(&pki.signer_cert_pem());
    assert!(
        signer_text.contains("Public-Key: (2048 bit)"),
        "{signer_text}"
    );
    assert!(
        signer_text.contains(
            "X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation"
        ),
        "{signer_text}"
    );
    let tsa_text = text(&pki.tsa_cert_pem());
    assert!(
        tsa_text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"),
        "{tsa_text}"
    );
    assert!(
        tsa_text.contains("X509v3 Extended Key Usage: critical\n                Time Stamping"),
        "{tsa_text}"
    );

    // Who trusts whom.
    let verify = |ca: &Path, purpose: &str, cert: &Path| {
        pki::openssl([
            "verify".as_ref(),
            "-CAfile".as_ref(),
            ca.as_os_str(),
            "-purpose".as_ref(),
            purpose.as_ref(),
            cert.as_os_str(),
        ])
    };
    let (ok, output) = verify(&pki.ca_pem(), "any", &pki.signer_cert_pem());
    assert!(ok && output.contains(": OK"), "{output}");
    let (ok, output) = verify(&pki.ca_pem(), "timestampsign", &pki.tsa_cert_pem());
    assert!(ok && output.contains(": OK"), "{output}");
    let (ok, output) = verify(&pki.ca_pem(), "timestampsign", &pki.signer_cert_pem());
    assert!(!ok, "{output}");
    let (ok, output) = verify(&pki.ca_pem(), "any", &pki.other_cert_pem());
    assert!(!ok, "{output}");
    let (ok, output) = verify(&pki.other_ca_pem(), "any", &pki.other_cert_pem());
    assert!(ok && output.contains(": OK"), "{output}");

    // Each key goes with its certificate.
    let public_key = |args: &[&std::ffi::OsStr]| {
        let (ok, output) = pki::openssl(args);
        assert!(ok, "{output}");
        output
    };
    for (cert, key) in [
        (pki.signer_cert_pem(), pki.signer_key_pem()),
        (pki.tsa_cert_pem(), pki.tsa_key_pem()),
        (pki.other_cert_pem(), pki.other_key_pem()),
    ] {
        assert_eq!(
            public_key(&[
                "x509".as_ref(),
                "-noout".as_ref(),
                "-pubkey".as_ref(),
                "-in".as_ref(),
                cert.as_os_str()
            ]),
            public_key(&[
                "pkey".as_ref(),
                "-pubout".as_ref(),
                "-in".as_ref(),
                key.as_os_str()
            ]),
        );
    }
}

#[test]
fn the_nss_db_trusts_the_ca() {
    let pki = TestPki::new();
    for ca in [pki.ca_pem(), pki.other_ca_pem()] {
        let dir = pki.nss_db_trusting(&ca);
        let (ok, listing) = run(std::process::Command::new("certutil")
            .arg("-L")
            .arg("-d")
            .arg(format!("sql:{}", dir.display())));
        assert!(ok, "{listing}");
        let line = listing
            .lines()
            .find(|line| line.starts_with(pki::NSS_CA_NICKNAME))
            .unwrap_or_else(|| panic!("{} in\n{listing}", pki::NSS_CA_NICKNAME));
        assert!(line.trim_end().ends_with("CT,C,C"), "{listing}");
    }
    assert_ne!(
        pki.nss_db_trusting(&pki.ca_pem()),
        pki.nss_db_trusting(&pki.ca_pem())
    );
}

/// What the signature tests rely on: pdfsig trusts a signature of the
/// signer with the database that trusts its CA, and only then. The PDF is
/// signed by pdfsig itself, with the PKCS#12 imported by pk12util.
#[test]
fn pdfsig_trusts_the_signer_under_its_ca_only() {
    let pki = TestPki::new();
    let work = tempfile::tempdir().expect("tempdir");
    let signing = work.path().join("signing-db");
    std::fs::create_dir(&signing).expect("mkdir");
    let database = format!("sql:{}", signing.display());
    let (ok, output) = run(std::process::Command::new("certutil").args([
        "-N",
        "--empty-password",
        "-d",
        &database,
    ]));
    assert!(ok, "{output}");
    let (ok, output) = run(std::process::Command::new("pk12util")
        .arg("-i")
        .arg(pki.signer_p12())
        .args(["-d", &database, "-W", pki.p12_password()]));
    assert!(ok, "{output}");

    let unsigned = work.path().join("unsigned.pdf");
    std::fs::write(&unsigned, real_pdf(1, "Compte-rendu")).expect("writing the PDF");
    let signed = work.path().join("signed.pdf");
    let (ok, output) = run(std::process::Command::new("pdfsig")
        .arg("-nssdir")
        .arg(&signing)
        .args(["-add-signature", "-nick", pki::SIGNER_COMMON_NAME])
        .arg(&unsigned)
        .arg(&signed));
    assert!(ok, "{output}");

    let (ok, output) = pki::pdfsig(&signed, Some(&pki.nss_db_trusting(&pki.ca_pem())));
    assert!(ok, "{output}");
    for expected in [
        format!("Signer full Distinguished Name: {}", pki::SIGNER_SUBJECT),
        "Signature Validation: Signature is Valid.".to_owned(),
        "Certificate Validation: Certificate is Trusted.".to_owned(),
    ] {
        assert!(output.contains(&expected), "{expected:?} in\n{output}");
    }
    let (ok, output) = pki::pdfsig(&signed, Some(&pki.nss_db_trusting(&pki.other_ca_pem())));
    assert!(ok, "{output}");
    assert!(
        output.contains("Signature Validation: Signature is Valid."),
        "{output}"
    );
    assert!(!output.contains("Certificate is Trusted."), "{output}");
    assert!(
        output.contains("Certificate Validation: Certificate issuer is unknown."),
        "{output}"
    );

    let (ok, output) = pki::pdfsig(&unsigned, Some(&pki.nss_db_trusting(&pki.ca_pem())));
    assert!(!ok, "{output}");
    assert!(
        output.contains("does not contain any signatures"),
        "{output}"
    );
}
