//! Signatures in tests: a throwaway PKI made with the `openssl` CLI (a root
//! CA, the préfecture's signing certificate, a time-stamping authority, and
//! an unrelated CA whose signatures must not be trusted); a real RFC 3161
//! time-stamping authority on a loopback port, answering with
//! `openssl ts -reply`; and what poppler's `pdfsig` (reading an NSS database
//! made by `certutil`) and `openssl ts -verify` say of the results.
//! `.ci/run` installs libnss3-tools (certutil) and poppler-utils (pdfsig)
//! when missing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

#[allow(unused_imports)]
pub use super::tsa::{LocalTsa, post, unreachable_url};

/// The subjects as pdfsig prints them ("Signer full Distinguished Name")
/// and `openssl x509 -nameopt rfc2253,-esc_msb` too.
pub const CA_SUBJECT: &str = "CN=clu test root CA,O=Tests clu,C=FR";
pub const SIGNER_SUBJECT: &str = "CN=Préfecture de test - cachet serveur,O=Préfecture de test,C=FR";
pub const SIGNER_COMMON_NAME: &str = "Préfecture de test - cachet serveur";
pub const TSA_SUBJECT: &str = "CN=clu test TSA";
pub const OTHER_CA_SUBJECT: &str = "CN=Other CA";
pub const OTHER_SUBJECT: &str = "CN=Other signer,O=Other,C=FR";
/// The time-stamping policy the local TSA puts in its tokens.
pub const TSA_POLICY: &str = "1.2.3.4.1";
/// The nickname of the trusted CA in the databases of `nss_db_trusting`.
pub const NSS_CA_NICKNAME: &str = "clu test trusted CA";

const P12_PASSWORD: &str = "clu-cachet-2031";

/// Extensions of the certificates, and what `openssl req` needs to write
/// the subjects as UTF8String (countryName stays a PrintableString).
const PKI_CNF: &str = "\
[req]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
prompt = no
[dn]
CN = unused

[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer

[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
";

/// A throwaway PKI made with the openssl CLI in a temp dir, for one test.
/// Files (all PEM but the PKCS#12): `ca.pem`/`ca.key`, `signer.pem`,
/// `signer.key` (unencrypted PKCS#8), `signer.p12`, `tsa.pem`/`tsa.key`,
/// `other-ca.pem`/`other-ca.key`, `other.pem`/`other.key`.
pub struct TestPki {
    pub dir: tempfile::TempDir,
}

impl TestPki {
    /// Generates a root CA `CA_SUBJECT` (RSA 3072, 10 years); the signing
    /// certificate it issues, `SIGNER_SUBJECT` (RSA 2048, keyUsage critical
    /// digitalSignature and nonRepudiation, 3 years), its key, and both with
    /// the CA in a PKCS#12 file (OpenSSL 3's defaults: AES-256-CBC with
    /// PBKDF2, SHA-256 MAC) under `p12_password()`; the TSA's certificate
    /// `TSA_SUBJECT` (RSA 2048, extendedKeyUsage critical timeStamping); and
    /// another CA `OTHER_CA_SUBJECT` with its own signer `OTHER_SUBJECT`,
    /// whose signatures must not be trusted.
    pub fn new() -> TestPki {
        let pki = TestPki {
            dir: tempfile::tempdir().expect("a temporary directory for the test PKI"),
        };
        std::fs::write(pki.path("pki.cnf"), PKI_CNF).expect("writing pki.cnf");

        pki.root_ca("ca", "/C=FR/O=Tests clu/CN=clu test root CA", 3072);
        pki.issue(
            "signer",
            "ca",
            "/C=FR/O=Préfecture de test/CN=Préfecture de test - cachet serveur",
            "signer",
            2048,
            3 * 365,
        );
        pki.issue("tsa", "ca", "/CN=clu test TSA", "tsa", 2048, 3 * 365);
        pki.root_ca("other-ca", "/CN=Other CA", 2048);
        pki.issue(
            "other",
            "other-ca",
            "/C=FR/O=Other/CN=Other signer",
            "signer",
            2048,
            3 * 365,
        );

        let p12 = pki.signer_p12();
        let password = format!("pass:{P12_PASSWORD}");
        openssl_ok(
            [
                "pkcs12".as_ref(),
                "-export".as_ref(),
                "-in".as_ref(),
                pki.signer_cert_pem().as_os_str(),
                "-inkey".as_ref(),
                pki.signer_key_pem().as_os_str(),
                "-certfile".as_ref(),
                pki.ca_pem().as_os_str(),
                "-name".as_ref(),
                SIGNER_COMMON_NAME.as_ref(),
                "-passout".as_ref(),
                password.as_ref(),
                "-out".as_ref(),
                p12.as_os_str(),
            ],
            "openssl pkcs12 -export (the signer's PKCS#12)",
        );
        pki
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn new_key(&self, name: &str, bits: u32) -> PathBuf {
        let key = self.path(&format!("{name}.key"));
        openssl_ok(
            [
                "genpkey".as_ref(),
                "-algorithm".as_ref(),
                "RSA".as_ref(),
                "-pkeyopt".as_ref(),
                OsStr::new(&format!("rsa_keygen_bits:{bits}")),
                "-out".as_ref(),
                key.as_os_str(),
            ],
            &format!("openssl genpkey ({name}.key)"),
        );
        key
    }

    /// A self-signed CA, 10 years.
    fn root_ca(&self, name: &str, subject: &str, bits: u32) {
        let key = self.new_key(name, bits);
        let cert = self.path(&format!("{name}.pem"));
        let config = self.path("pki.cnf");
        openssl_ok(
            [
                "req".as_ref(),
                "-config".as_ref(),
                config.as_os_str(),
                "-new".as_ref(),
                "-x509".as_ref(),
                "-utf8".as_ref(),
                "-sha256".as_ref(),
                "-days".as_ref(),
                "3650".as_ref(),
                "-subj".as_ref(),
                subject.as_ref(),
                "-extensions".as_ref(),
                "ca".as_ref(),
                "-key".as_ref(),
                key.as_os_str(),
                "-out".as_ref(),
                cert.as_os_str(),
            ],
            &format!("openssl req -x509 ({name}.pem)"),
        );
    }

    /// A certificate `name.pem` for a new key `name.key`, issued by the CA
    /// `issuer`, with the extensions of section `extensions` of pki.cnf.
    fn issue(
        &self,
        name: &str,
        issuer: &str,
        subject: &str,
        extensions: &str,
        bits: u32,
        days: u32,
    ) {
        let key = self.new_key(name, bits);
        let csr = self.path(&format!("{name}.csr"));
        let cert = self.path(&format!("{name}.pem"));
        let config = self.path("pki.cnf");
        openssl_ok(
            [
                "req".as_ref(),
                "-config".as_ref(),
                config.as_os_str(),
                "-new".as_ref(),
                "-utf8".as_ref(),
                "-subj".as_ref(),
                subject.as_ref(),
                "-key".as_ref(),
                key.as_os_str(),
                "-out".as_ref(),
                csr.as_os_str(),
            ],
            &format!("openssl req ({name}.csr)"),
        );
        let (issuer_cert, issuer_key, serial) = (
            self.path(&format!("{issuer}.pem")),
            self.path(&format!("{issuer}.key")),
            self.path(&format!("{issuer}.srl")),
        );
        openssl_ok(
            [
                "x509".as_ref(),
                "-req".as_ref(),
                "-in".as_ref(),
                csr.as_os_str(),
                "-CA".as_ref(),
                issuer_cert.as_os_str(),
                "-CAkey".as_ref(),
                issuer_key.as_os_str(),
                "-CAserial".as_ref(),
                serial.as_os_str(),
                "-CAcreateserial".as_ref(),
                "-sha256".as_ref(),
                "-days".as_ref(),
                OsStr::new(&days.to_string()),
                "-extfile".as_ref(),
                config.as_os_str(),
                "-extensions".as_ref(),
                extensions.as_ref(),
                "-out".as_ref(),
                cert.as_os_str(),
            ],
            &format!("openssl x509 -req ({name}.pem issued by {issuer})"),
        );
    }

    pub fn ca_pem(&self) -> PathBuf {
        self.path("ca.pem")
    }

    pub fn signer_cert_pem(&self) -> PathBuf {
        self.path("signer.pem")
    }

    /// Unencrypted PKCS#8 ("BEGIN PRIVATE KEY").
    pub fn signer_key_pem(&self) -> PathBuf {
        self.path("signer.key")
    }

    /// The signer's certificate and key, and the CA's certificate.
    pub fn signer_p12(&self) -> PathBuf {
        self.path("signer.p12")
    }

    pub fn p12_password(&self) -> &'static str {
        P12_PASSWORD
    }

    pub fn tsa_cert_pem(&self) -> PathBuf {
        self.path("tsa.pem")
    }

    pub fn tsa_key_pem(&self) -> PathBuf {
        self.path("tsa.key")
    }

    /// A signing certificate of the other CA: not to be trusted.
    pub fn other_cert_pem(&self) -> PathBuf {
        self.path("other.pem")
    }

    pub fn other_key_pem(&self) -> PathBuf {
        self.path("other.key")
    }

    pub fn other_ca_pem(&self) -> PathBuf {
        self.path("other-ca.pem")
    }

    /// A new NSS database (`certutil -N --empty-password -d sql:DIR`) in
    /// which `ca_pem` is imported as trusted ("CT,C,C", nickname
    /// `NSS_CA_NICKNAME`); returns DIR, for `pdfsig(pdf, Some(DIR))`.
    pub fn nss_db_trusting(&self, ca_pem: &Path) -> PathBuf {
        static DATABASES: AtomicUsize = AtomicUsize::new(0);
        let dir = self.path(&format!(
            "nss-{}",
            DATABASES.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&dir).expect("a directory for the NSS database");
        let database = format!("sql:{}", dir.display());
        run_ok(
            Command::new("certutil").args(["-N", "--empty-password", "-d", &database]),
            "certutil -N (a new NSS database; Debian's libnss3-tools)",
        );
        run_ok(
            Command::new("certutil")
                .args([
                    "-A",
                    "-d",
                    &database,
                    "-n",
                    NSS_CA_NICKNAME,
                    "-t",
                    "CT,C,C",
                    "-i",
                ])
                .arg(ca_pem),
            "certutil -A (the trusted CA in the NSS database)",
        );
        dir
    }
}

/// Runs `openssl ARGS`; returns (exit success, stdout + stderr).
pub fn openssl<I, S>(args: I) -> (bool, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(Command::new("openssl").args(args), "openssl")
}

/// Runs the command; returns (exit success, stdout + stderr).
fn run(command: &mut Command, what: &str) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{what} could not be started: {error}"));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

fn run_ok(command: &mut Command, what: &str) -> String {
    let (ok, output) = run(command, what);
    assert!(ok, "{what} failed:\n{output}");
    output
}

fn openssl_ok<I, S>(args: I, what: &str) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_ok(Command::new("openssl").args(args), what)
}

/// Runs `pdfsig [-nssdir DIR] FILE` (Debian's poppler-utils); returns (exit
/// success, stdout + stderr). pdfsig exits with success whatever the
/// validity of the signatures ("Signature Validation: Signature is Valid.",
/// "Certificate Validation: Certificate is Trusted." or "Certificate issuer
/// is unknown."), and not when the file has no signature. Without a DIR it
/// reads the user's NSS database: tests give one, from `nss_db_trusting`.
pub fn pdfsig(pdf: &Path, nssdir: Option<&Path>) -> (bool, String) {
    let mut command = Command::new("pdfsig");
    if let Some(dir) = nssdir {
        command.arg("-nssdir").arg(dir);
    }
    run(command.arg(pdf), "pdfsig (Debian's poppler-utils)")
}

/// Runs `openssl ts -verify -data DATA -in TOKEN -token_in -CAfile CA` on a
/// DER TimeStampToken (the CMS SignedData, as in a signature's
/// signature-time-stamp attribute) and the data it stamps; returns (success,
/// output: "Verification: OK" when it is). The token must carry the TSA's
/// certificate (the request's certReq).
pub fn openssl_ts_verify(token_der: &[u8], data: &[u8], ca_pem: &Path) -> (bool, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (token, data_file) = (dir.path().join("token.der"), dir.path().join("data"));
    std::fs::write(&token, token_der).expect("writing the token");
    std::fs::write(&data_file, data).expect("writing the data");
    openssl([
        "ts".as_ref(),
        "-verify".as_ref(),
        "-data".as_ref(),
        data_file.as_os_str(),
        "-in".as_ref(),
        token.as_os_str(),
        "-token_in".as_ref(),
        "-CAfile".as_ref(),
        ca_pem.as_os_str(),
    ])
}
