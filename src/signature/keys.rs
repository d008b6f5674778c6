//! The key and certificate clu signs with: a préfecture's "cachet
//! serveur" given by path in the settings (PEM, or PKCS#12 with its
//! password from the environment), or else a local key and self-signed
//! certificate made at first start and kept beside the database, readable
//! by their owner only. Keys are never logged: `Debug` says which kind.

use std::io::Write;
use std::path::Path;

use der::asn1::OctetString;
use der::{Decode, Encode};
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::pkcs1::DecodeRsaPrivateKey;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::der::pem::LineEnding;

use super::oids;
use crate::config::Settings;

/// The file the local key is kept in, when no certificate is configured.
pub const LOCAL_KEY_FILE: &str = "signing-key.pem";
/// The local self-signed certificate, beside it.
pub const LOCAL_CERTIFICATE_FILE: &str = "signing-certificate.pem";
/// The local certificate's name, as PDF readers show it.
pub const LOCAL_COMMON_NAME: &str = "Cachet local clu (non qualifié)";

/// A private key clu signs with.
pub enum SigningKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rsa(_) => "SigningKey::Rsa([redacted])",
            Self::P256(_) => "SigningKey::P256([redacted])",
        })
    }
}

impl SigningKey {
    /// The signature of `message` with SHA-256 (RSA PKCS#1 v1.5, or ECDSA
    /// DER-encoded).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        use signature::Signer;
        match self {
            Self::Rsa(key) => {
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new((**key).clone());
                let signature: rsa::pkcs1v15::Signature = signer
                    .try_sign(message)
                    .map_err(|e| format!("signature RSA impossible : {e}"))?;
                Ok(Box::<[u8]>::from(signature).into_vec())
            }
            Self::P256(key) => {
                let signature: p256::ecdsa::Signature = key
                    .try_sign(message)
                    .map_err(|e| format!("signature ECDSA impossible : {e}"))?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
        }
    }

    /// The CMS signature algorithm of `sign`.
    pub fn algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            Self::Rsa(_) => AlgorithmIdentifierOwned {
                oid: oids::SHA256_WITH_RSA,
                parameters: Some(der::asn1::Null.into()),
            },
            Self::P256(_) => AlgorithmIdentifierOwned {
                oid: oids::ECDSA_WITH_SHA256,
                parameters: None,
            },
        }
    }

    /// The public half, as certificates hold it.
    pub fn public_key(&self) -> Result<SubjectPublicKeyInfoOwned, String> {
        let der = match self {
            Self::Rsa(key) => key.to_public_key().to_public_key_der(),
            Self::P256(key) => key.verifying_key().to_public_key_der(),
        }
        .map_err(|e| format!("clé publique illisible : {e}"))?;
        SubjectPublicKeyInfoOwned::from_der(der.as_bytes())
            .map_err(|e| format!("clé publique illisible : {e}"))
    }

    /// A key from PEM: PKCS#8, PKCS#1 (RSA) or SEC1 (EC).
    fn from_pem(text: &str) -> Result<Self, String> {
        if text.contains("BEGIN RSA PRIVATE KEY") {
            return rsa::RsaPrivateKey::from_pkcs1_pem(text)
                .map(|k| Self::Rsa(Box::new(k)))
                .map_err(|e| format!("clé RSA illisible : {e}"));
        }
        if text.contains("BEGIN EC PRIVATE KEY") {
            return p256::SecretKey::from_sec1_pem(text)
                .map(|k| Self::P256(k.into()))
                .map_err(|e| format!("clé EC illisible (seule P-256 est prise en charge) : {e}"));
        }
        let (_, document) = pkcs8::SecretDocument::from_pem(text)
            .map_err(|e| format!("clé illisible (PEM PKCS#8 attendu) : {e}"))?;
        Self::from_pkcs8(document.as_bytes())
    }

    pub(super) fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        let info = pkcs8::PrivateKeyInfo::from_der(der)
            .map_err(|e| format!("clé illisible (PKCS#8) : {e}"))?;
        match info.algorithm.oid {
            oids::RSA_ENCRYPTION => rsa::RsaPrivateKey::from_pkcs8_der(der)
                .map(|k| Self::Rsa(Box::new(k)))
                .map_err(|e| format!("clé RSA illisible : {e}")),
            oids::EC_PUBLIC_KEY => p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map(Self::P256)
                .map_err(|e| format!("clé EC illisible (seule P-256 est prise en charge) : {e}")),
            other => Err(format!("type de clé non pris en charge : {other}")),
        }
    }
}

/// Who signs: the key, its certificate, the certificates that issued it,
/// and whether it is the local self-signed one.
#[derive(Debug)]
pub struct Identity {
    pub key: SigningKey,
    pub certificate: Certificate,
    pub chain: Vec<Certificate>,
    pub local: bool,
}

impl Identity {
    /// The configured certificate, or the local one (made if missing).
    pub fn load(settings: &Settings) -> Result<Self, String> {
        let (key, mut certificates) =
            match (&settings.signing_pkcs12, &settings.signing_certificate) {
                (Some(path), _) => {
                    let password = settings
                        .signing_pkcs12_password
                        .as_ref()
                        .map(|s| s.expose().to_owned())
                        .unwrap_or_default();
                    super::pkcs12::read(&read(path)?, &password)
                        .map_err(|e| format!("{} : {e}", path.display()))?
                }
                (None, Some(path)) => {
                    let key_path = settings.signing_key.as_ref().ok_or(
                        "signing_certificate est donné sans signing_key (le fichier PEM de la clé)",
                    )?;
                    let certificates = certificates_of(&read(path)?)
                        .map_err(|e| format!("{} : {e}", path.display()))?;
                    let text = String::from_utf8(read(key_path)?)
                        .map_err(|_| format!("{} n'est pas un fichier PEM", key_path.display()))?;
                    let key = SigningKey::from_pem(&text)
                        .map_err(|e| format!("{} : {e}", key_path.display()))?;
                    (key, certificates)
                }
                (None, None) => return local(&settings.data_dir).inspect(loaded),
            };
        let at = position_of(&key, &certificates)?;
        let certificate = certificates.remove(at);
        let identity = Self {
            key,
            certificate,
            chain: certificates,
            local: false,
        };
        loaded(&identity);
        Ok(identity)
    }
    /// The SHA-256 of the signing certificate (its DER).
    pub fn certificate_hash(&self) -> Result<[u8; 32], String> {
        let der = self
            .certificate
            .to_der()
            .map_err(|e| format!("certificat illisible : {e}"))?;
        Ok(Sha256::digest(der).into())
    }
}

fn loaded(identity: &Identity) {
    tracing::info!(
        subject = %identity.certificate.tbs_certificate.subject,
        local = identity.local,
        "signing certificate loaded"
    );
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("impossible de lire {} : {e}", path.display()))
}

/// Every certificate of a PEM file (or of one DER certificate).
pub fn certificates_of(bytes: &[u8]) -> Result<Vec<Certificate>, String> {
    if bytes.starts_with(b"-----") || bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        Certificate::load_pem_chain(bytes).map_err(|e| format!("certificat PEM illisible : {e}"))
    } else {
        Certificate::from_der(bytes)
            .map(|c| vec![c])
            .map_err(|e| format!("certificat DER illisible : {e}"))
    }
}

/// Where the key's certificate is among `certificates`.
fn position_of(key: &SigningKey, certificates: &[Certificate]) -> Result<usize, String> {
    let public = key.public_key()?;
    certificates
        .iter()
        .position(|c| c.tbs_certificate.subject_public_key_info == public)
        .ok_or_else(|| "aucun des certificats donnés ne correspond à la clé".to_owned())
}

/// The local key and self-signed certificate in `data_dir`, made there
/// (mode 0600 for the key) if missing.
fn local(data_dir: &Path) -> Result<Identity, String> {
    let key_path = data_dir.join(LOCAL_KEY_FILE);
    let certificate_path = data_dir.join(LOCAL_CERTIFICATE_FILE);
    if key_path.exists() && certificate_path.exists() {
        let text = String::from_utf8(read(&key_path)?)
            .map_err(|_| format!("{} n'est pas un fichier PEM", key_path.display()))?;
        let key = SigningKey::from_pem(&text)?;
        let certificate = certificates_of(&read(&certificate_path)?)?
            .into_iter()
            .next()
            .ok_or("certificat local vide")?;
        return Ok(Identity {
            key,
            certificate,
            chain: Vec::new(),
            local: true,
        });
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("impossible de créer {} : {e}", data_dir.display()))?;
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let key = SigningKey::P256(secret.into());
    let certificate = self_signed(&key)?;
    let SigningKey::P256(signing) = &key else {
        return Err("clé locale inattendue".into());
    };
    let pem = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("clé locale illisible : {e}"))?;
    write_private(&key_path, pem.as_bytes())?;
    let certificate_pem = der::EncodePem::to_pem(&certificate, LineEnding::LF)
        .map_err(|e| format!("certificat local illisible : {e}"))?;
    std::fs::write(&certificate_path, certificate_pem)
        .map_err(|e| format!("impossible d'écrire {} : {e}", certificate_path.display()))?;
    tracing::info!(path = %certificate_path.display(), "generated a local signing key and self-signed certificate");
    Ok(Identity {
        key,
        certificate,
        chain: Vec::new(),
        local: true,
    })
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("impossible de créer {} : {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("impossible d'écrire {} : {e}", path.display()))
}

/// A self-signed certificate for the local key, valid ten years.
fn self_signed(key: &SigningKey) -> Result<Certificate, String> {
    use std::str::FromStr;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
    let SigningKey::P256(signing) = key else {
        return Err("la clé locale est une clé P-256".into());
    };
    let subject = x509_cert::name::Name::from_str(&format!("CN={LOCAL_COMMON_NAME},O=clu"))
        .map_err(|e| format!("nom du certificat local : {e}"))?;
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).map_err(|e| format!("aléa indisponible : {e}"))?;
    serial[0] &= 0x7f;
    let serial = x509_cert::serial_number::SerialNumber::new(&serial)
        .map_err(|e| format!("numéro de série : {e}"))?;
    // Valid from 2020: a self-signed certificate's start proves nothing
    // (whoever holds the key could make another), and minutes signed at an
    // earlier recorded date (the demo's, imported ones) must verify.
    let time = |at: std::time::SystemTime| {
        x509_cert::time::Time::try_from(at)
            .map_err(|e| format!("validité du certificat local : {e}"))
    };
    let ten_years = std::time::Duration::from_secs(10 * 365 * 24 * 3600);
    let validity = x509_cert::time::Validity {
        not_before: time(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800))?,
        not_after: time(std::time::SystemTime::now() + ten_years)?,
    };
    // Its own authority (CA:TRUE, path length 0), so that a reader told to
    // trust it (an NSS or Adobe trust store) accepts it as an anchor, and
    // a signing key (digitalSignature, nonRepudiation).
    let mut builder = CertificateBuilder::new(
        Profile::Manual { issuer: None },
        serial,
        validity,
        subject,
        key.public_key()?,
        signing,
    )
    .map_err(|e| format!("certificat local : {e}"))?;
    let spki = key.public_key()?;
    let identifier =
        SubjectKeyIdentifier::try_from(der::referenced::OwnedToRef::owned_to_ref(&spki))
            .map_err(|e| format!("certificat local : {e}"))?;
    builder
        .add_extension(&identifier)
        .and_then(|()| {
            builder.add_extension(&BasicConstraints {
                ca: true,
                path_len_constraint: Some(0),
            })
        })
        .and_then(|()| {
            builder.add_extension(&KeyUsage(
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation | KeyUsages::KeyCertSign,
            ))
        })
        .map_err(|e| format!("certificat local : {e}"))?;
    builder
        .build::<p256::ecdsa::DerSignature>()
        .map_err(|e| format!("certificat local : {e}"))
}

/// The SHA-256 of some bytes, as an OCTET STRING.
pub fn sha256_octets(bytes: &[u8]) -> Result<OctetString, String> {
    OctetString::new(Sha256::digest(bytes).to_vec()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_identity_is_made_once_private_and_signs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = local(dir.path()).expect("made");
        let second = local(dir.path()).expect("read back");
        assert_eq!(first.certificate, second.certificate);
        assert!(first.local);
        let public = first.key.public_key().expect("public");
        assert_eq!(
            first.certificate.tbs_certificate.subject_public_key_info,
            public
        );
        let subject = first.certificate.tbs_certificate.subject.to_string();
        assert!(subject.contains("non qualifié"), "{subject}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(LOCAL_KEY_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let signature = second.key.sign(b"bonjour").expect("signs");
        let verifying = match &first.key {
            SigningKey::P256(k) => *k.verifying_key(),
            SigningKey::Rsa(_) => panic!("the local key is P-256"),
        };
        let parsed = p256::ecdsa::Signature::from_der(&signature).expect("DER");
        use signature::Verifier;
        assert!(verifying.verify(b"bonjour", &parsed).is_ok());
        assert!(verifying.verify(b"bonjouR", &parsed).is_err());
        assert!(!format!("{:?}", first.key).contains(&format!("{:?}", secret_bytes(&first.key))));
    }

    fn secret_bytes(key: &SigningKey) -> Vec<u8> {
        match key {
            SigningKey::P256(k) => k.to_bytes().to_vec(),
            SigningKey::Rsa(_) => Vec::new(),
        }
    }
}
