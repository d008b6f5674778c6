//! The compte-rendu's electronic signature: PAdES baseline (B-B, or B-T
//! with a timestamp from the configured RFC 3161 authority), added to the
//! PDF/A as an incremental update; a document timestamp added later when
//! the authority did not answer; and the check of any copy one is handed.

pub mod chain;
pub mod cms;
pub mod keys;
mod oids;
pub mod pdf;
mod pkcs12;
pub mod tsa;
pub mod verify;

use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::config::Settings;
pub use keys::Identity;
pub use pdf::update::Placement;

/// Bytes reserved for the CMS beside its certificates: the signed
/// attributes and the signature.
const RESERVE: usize = 4096;
/// Bytes reserved for a timestamp token (with its authority's chain).
const TOKEN_RESERVE: usize = 16 * 1024;

/// Who signs the compte-rendu, as its signature dictionary says it.
#[derive(Debug, Clone)]
pub struct Signatory {
    pub name: String,
    pub function: String,
    pub delegation: String,
    /// The structure's name (the signature's /Location).
    pub structure: String,
    pub time: chrono::DateTime<chrono::Utc>,
    /// Where copies are verified.
    pub verify_url: String,
}

impl Signatory {
    /// "Approuvé par Guillaume THIRARD, Secrétaire Général, par
    /// délégation de la Préfète".
    pub fn reason(&self) -> String {
        let mut reason = format!("Approuvé par {}", self.name);
        if !self.function.trim().is_empty() {
            reason.push_str(", ");
            reason.push_str(self.function.trim());
        }
        let delegation = self.delegation.trim();
        if !delegation.is_empty() {
            let of_whom = delegation
                .strip_prefix("Pour ")
                .and_then(|rest| rest.strip_suffix(" et par délégation"));
            reason.push_str(", ");
            match of_whom {
                Some(whom) => match whom.strip_prefix("le ") {
                    Some(him) => reason.push_str(&format!("par délégation du {him}")),
                    None => reason.push_str(&format!("par délégation de {whom}")),
                },
                None => reason.push_str(delegation),
            }
        }
        reason
    }
}

/// The level a signature reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Signed, without a timestamp.
    Basic,
    /// Signed and timestamped by the authority.
    Timestamped,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "B-B",
            Self::Timestamped => "B-T",
        }
    }
}

/// A signed PDF.
#[derive(Debug)]
pub struct Signed {
    pub bytes: Vec<u8>,
    pub level: Level,
    /// Why there is no timestamp, when an authority is configured.
    pub timestamp_error: Option<String>,
}

/// The signing identity, the authority, and the certificates trusted when
/// checking a copy.
#[derive(Debug)]
pub struct Signer {
    identity: Identity,
    tsa_url: Option<String>,
    anchors: Vec<Certificate>,
}

impl Signer {
    pub fn load(settings: &Settings) -> Result<Self, String> {
        let identity = Identity::load(settings)?;
        let mut anchors = vec![identity.certificate.clone()];
        anchors.extend(
            identity
                .chain
                .iter()
                .filter(|c| c.tbs_certificate.subject == c.tbs_certificate.issuer)
                .cloned(),
        );
        if let Some(path) = &settings.trust_anchors {
            let bytes = std::fs::read(path)
                .map_err(|e| format!("impossible de lire {} : {e}", path.display()))?;
            anchors.extend(
                keys::certificates_of(&bytes).map_err(|e| format!("{} : {e}", path.display()))?,
            );
        }
        Ok(Self {
            identity,
            tsa_url: settings.tsa_url.clone().filter(|u| !u.trim().is_empty()),
            anchors,
        })
    }

    pub fn is_local(&self) -> bool {
        self.identity.local
    }

    pub fn has_authority(&self) -> bool {
        self.tsa_url.is_some()
    }

    /// The signing certificate's name.
    pub fn certificate_name(&self) -> String {
        chain::common_name(&self.identity.certificate)
    }

    fn capacity(&self) -> usize {
        use der::Encode;
        let certificates: usize = std::iter::once(&self.identity.certificate)
            .chain(&self.identity.chain)
            .map(|c| c.encoded_len().map_or(4096, |l| u32::from(l) as usize))
            .sum();
        RESERVE
            + certificates
            + if self.tsa_url.is_some() {
                TOKEN_RESERVE
            } else {
                0
            }
    }

    /// Signs `pdf` for `who`, its field at `placement`. Blocking: the
    /// authority is asked, if any; when it does not answer, the signature
    /// is made without its timestamp (B-B) and says why.
    pub fn sign_pdf(
        &self,
        pdf: &[u8],
        who: &Signatory,
        placement: Option<Placement>,
    ) -> Result<Signed, String> {
        let contact = if self.identity.local {
            format!(
                "Certificat local de cette installation clu, non qualifié : vérifiez ce document sur {}",
                who.verify_url
            )
        } else {
            format!("Vérification : {}", who.verify_url)
        };
        let reason = who.reason();
        let prepared = pdf::update::prepare(
            pdf,
            &pdf::update::Kind::Signature {
                name: &who.name,
                reason: &reason,
                location: &who.structure,
                contact: &contact,
                time: who.time,
                placement,
            },
            self.capacity(),
        )?;
        let digest = cms::digest(&oids::SHA256, &prepared.signed_parts())?;
        let attributes = cms::signed_attributes(&self.identity, &digest)?;
        let signature = self
            .identity
            .key
            .sign(&der::Encode::to_der(&attributes).map_err(|e| e.to_string())?)?;
        let (token, timestamp_error) = match &self.tsa_url {
            Some(url) => match tsa::ask(url, &Sha256::digest(&signature)) {
                Ok(token) => (Some(token), None),
                Err(err) => {
                    tracing::warn!(error = %err, "no timestamp: the compte-rendu is signed without one (B-B)");
                    (None, Some(err))
                }
            },
            None => (None, None),
        };
        let level = if token.is_some() {
            Level::Timestamped
        } else {
            Level::Basic
        };
        let cms = cms::signed_data(&self.identity, attributes, signature, token.as_deref())?;
        Ok(Signed {
            bytes: prepared.finish(&cms)?,
            level,
            timestamp_error,
        })
    }

    /// `pdf` with a document timestamp from the authority added (PAdES
    /// B-T for a signature made without one). Blocking.
    pub fn add_document_timestamp(&self, pdf: &[u8]) -> Result<Vec<u8>, String> {
        let url = self
            .tsa_url
            .as_ref()
            .ok_or("aucune autorité d'horodatage n'est configurée")?;
        let prepared =
            pdf::update::prepare(pdf, &pdf::update::Kind::DocumentTimestamp, TOKEN_RESERVE)?;
        let digest = cms::digest(&oids::SHA256, &prepared.signed_parts())?;
        let token = tsa::ask(url, &digest)?;
        prepared.finish(&token)
    }

    /// What the signatures of `pdf` prove.
    pub fn verify(&self, pdf: &[u8]) -> verify::Report {
        verify::report(pdf, &self.anchors, &self.identity.certificate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF with a classic cross-reference table.
    fn minimal_pdf() -> Vec<u8> {
        let objects = [
            "<</Type/Catalog/Pages 2 0 R>>",
            "<</Type/Pages/Count 1/Kids[3 0 R]>>",
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
        ];
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<</Size 4/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF").as_bytes(),
        );
        pdf
    }

    fn signer() -> (tempfile::TempDir, Signer) {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings =
            Settings::from_figment(Settings::figment(None).merge(("data_dir", dir.path())))
                .expect("settings");
        let signer = Signer::load(&settings).expect("signer");
        (dir, signer)
    }

    fn signatory() -> Signatory {
        Signatory {
            name: "Guillaume THIRARD".into(),
            function: "Secrétaire Général".into(),
            delegation: "Pour la Préfète et par délégation".into(),
            structure: "Préfecture de la Haute-Marne".into(),
            time: chrono::DateTime::from_timestamp(1_712_563_920, 0).expect("time"),
            verify_url: "https://clu.example.fr/verify".into(),
        }
    }

    #[test]
    fn the_reason_says_who_approved_by_whose_delegation() {
        assert_eq!(
            signatory().reason(),
            "Approuvé par Guillaume THIRARD, Secrétaire Général, par délégation de la Préfète"
        );
        let mut prefet = signatory();
        prefet.delegation = "Pour le Préfet et par délégation".into();
        assert!(prefet.reason().ends_with("par délégation du Préfet"));
    }

    #[test]
    fn a_signed_pdf_is_reproducible_and_verifies_until_a_byte_changes() {
        let (_dir, signer) = signer();
        let placement = Some(Placement {
            page: 1,
            rect: [300.0, 100.0, 540.0, 200.0],
        });
        let pdf = minimal_pdf();
        let first = signer
            .sign_pdf(&pdf, &signatory(), placement)
            .expect("signed");
        let second = signer
            .sign_pdf(&pdf, &signatory(), placement)
            .expect("signed");
        assert_eq!(first.level, Level::Basic);
        assert!(first.bytes.starts_with(&pdf), "an incremental update");
        assert_eq!(first.bytes, second.bytes, "same key, same time: same bytes");
        let report = signer.verify(&first.bytes);
        assert!(report.valid, "{report:?}");
        assert!(report.signatures[0].ours && report.signatures[0].local_certificate);
        assert_eq!(
            report.signatures[0].reason.as_deref(),
            Some(signatory().reason().as_str())
        );
        let mut altered = first.bytes.clone();
        altered[20] ^= 1;
        let report = signer.verify(&altered);
        assert!(!report.valid && !report.signatures[0].intact, "{report:?}");
        let mut appended = first.bytes.clone();
        appended.extend_from_slice(b"1 0 obj\n<<>>\nendobj\n");
        let report = signer.verify(&appended);
        assert!(report.changed_after_signing && !report.valid);
        let (_other_dir, other) = self::signer();
        let report = other.verify(&first.bytes);
        assert!(report.signatures[0].intact && !report.signatures[0].ours && !report.valid);
    }
}
