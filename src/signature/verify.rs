//! What the signatures of a PDF prove, check by check: the bytes each one
//! covers are intact, its signer's certificate leads to a trusted
//! authority, its timestamp is over it; and whether the file was changed
//! after its last signature.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use x509_cert::Certificate;

use super::{chain, cms, pdf, tsa};

/// One signature of the file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureCheck {
    /// "signature", or "horodatage" for a document timestamp.
    pub kind: String,
    /// The signed bytes are those of the file (digest and signature check).
    pub intact: bool,
    /// The signer's certificate (or the authority's, for a timestamp)
    /// leads to one this installation trusts.
    pub trusted: bool,
    /// The certificate is clu's own signing certificate.
    pub ours: bool,
    /// The certificate is the installation's local one, not qualified.
    pub local_certificate: bool,
    /// Which check failed, in French.
    pub problem: Option<String>,
    /// The certificate's name (CN).
    pub certificate: Option<String>,
    /// The signature's /Name and /Reason.
    pub name: Option<String>,
    pub reason: Option<String>,
    /// The signing time the signature claims (/M).
    pub signed_at: Option<DateTime<Utc>>,
    /// The time its timestamp proves, and by whom.
    pub timestamped_at: Option<DateTime<Utc>>,
    pub timestamped_by: Option<String>,
    /// The SHA-256 of the file as it was signed (the bytes up to the end
    /// of this signature's revision).
    pub revision_sha256: String,
}

/// The whole file's verdict.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub sha256: String,
    pub signatures: Vec<SignatureCheck>,
    /// Bytes were added after the last signature's revision.
    pub changed_after_signing: bool,
    /// Every signature intact and trusted, nothing after the last.
    pub valid: bool,
}

/// Checks every signature of `pdf` against the trusted `anchors`; `own`
/// is the installation's signing certificate.
pub fn report(pdf: &[u8], anchors: &[Certificate], own: &Certificate) -> Report {
    let found = pdf::signatures(pdf);
    let last_end = found
        .iter()
        .filter_map(|f| f.as_ref().ok())
        .map(pdf::Found::end)
        .max();
    let signatures: Vec<SignatureCheck> = found
        .into_iter()
        .map(|found| match found {
            Ok(found) => check(pdf, &found, anchors, own),
            Err(problem) => SignatureCheck {
                kind: "signature".into(),
                intact: false,
                trusted: false,
                ours: false,
                local_certificate: false,
                problem: Some(problem),
                certificate: None,
                name: None,
                reason: None,
                signed_at: None,
                timestamped_at: None,
                timestamped_by: None,
                revision_sha256: String::new(),
            },
        })
        .collect();
    // A revision ends with "%%EOF" and a line end at most.
    let changed_after_signing = last_end.is_some_and(|end| {
        pdf.get(end..)
            .is_some_and(|rest| rest.iter().any(|b| !b.is_ascii_whitespace()))
    });
    let valid = !signatures.is_empty()
        && !changed_after_signing
        && signatures.iter().all(|s| s.intact && s.trusted);
    Report {
        sha256: crate::documents::fingerprint(pdf),
        signatures,
        changed_after_signing,
        valid,
    }
}

fn check(
    pdf: &[u8],
    found: &pdf::Found,
    anchors: &[Certificate],
    own: &Certificate,
) -> SignatureCheck {
    let parts = found.parts(pdf);
    let signed_at = found.time.as_deref().and_then(pdf::parse_date);
    let mut result = SignatureCheck {
        kind: if found.is_timestamp {
            "horodatage"
        } else {
            "signature"
        }
        .into(),
        intact: false,
        trusted: false,
        ours: false,
        local_certificate: false,
        problem: None,
        certificate: None,
        name: found.name.clone(),
        reason: found.reason.clone(),
        signed_at,
        timestamped_at: None,
        timestamped_by: None,
        revision_sha256: crate::documents::fingerprint(&pdf[..found.end()]),
    };
    // The certificate whose chain is checked, and when.
    let (certificate, pool, at) = if found.is_timestamp {
        match tsa::check(&found.contents, &parts, false) {
            Ok(stamp) => {
                result.intact = true;
                result.timestamped_at = Some(stamp.time);
                result.timestamped_by = Some(chain::common_name(&stamp.authority));
                (stamp.authority, stamp.certificates, stamp.time)
            }
            Err(problem) => {
                result.problem = Some(problem);
                return result;
            }
        }
    } else {
        let parsed = match cms::parse(&found.contents) {
            Ok(parsed) => parsed,
            Err(problem) => {
                result.problem = Some(problem);
                return result;
            }
        };
        result.certificate = Some(chain::common_name(&parsed.certificate));
        if let Err(problem) = parsed.check(&parts) {
            result.problem = Some(problem);
            return result;
        }
        result.intact = true;
        if found.sub_filter == "ETSI.CAdES.detached" && !parsed.names_its_certificate() {
            result.problem = Some(
                "l'attribut signing-certificate-v2 ne désigne pas le certificat du signataire"
                    .into(),
            );
        }
        let mut at = signed_at.unwrap_or_else(Utc::now);
        if let Some(token) = parsed.timestamp_token() {
            match tsa::check(&token, &[parsed.signer.signature.as_bytes()], false) {
                Ok(stamp) => {
                    at = stamp.time;
                    result.timestamped_at = Some(stamp.time);
                    result.timestamped_by = Some(chain::common_name(&stamp.authority));
                    if let Err(problem) =
                        chain::chain_to(&stamp.authority, &stamp.certificates, anchors, stamp.time)
                    {
                        result.problem = Some(format!("horodatage : {problem}"));
                    }
                }
                Err(problem) => result.problem = Some(format!("horodatage : {problem}")),
            }
        }
        result.ours = parsed.certificate == *own;
        result.local_certificate =
            result.ours && chain::common_name(own) == super::keys::LOCAL_COMMON_NAME;
        (parsed.certificate, parsed.certificates, at)
    };
    match chain::chain_to(&certificate, &pool, anchors, at) {
        Ok(_) => result.trusted = result.problem.is_none(),
        Err(problem) => {
            result.problem.get_or_insert(problem);
        }
    }
    result
}
