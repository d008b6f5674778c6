//! Checking a document: does a signed compte-rendu have this SHA-256? The
//! answer names the structure, committee, meeting date, revision, signer
//! and signing time — never a member's personal data.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::domain::Found;
use crate::error::{AppError, AppResult};
use crate::store::{self, Scope};

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub found: bool,
    pub sha256: String,
    pub format: Option<String>,
    pub structure_name: Option<String>,
    pub committee_name: Option<String>,
    /// "mercredi 20 décembre 2023".
    pub meeting_date: Option<String>,
    pub revision: Option<i32>,
    pub signer: Option<String>,
    /// "8 avril 2024 à 10h12".
    pub signed_at: Option<String>,
    pub signed_at_utc: Option<chrono::DateTime<chrono::Utc>>,
    /// When the fingerprint is an annex's: its file name, as listed in
    /// the signed compte-rendu.
    pub annex_name: Option<String>,
}

pub fn verify(conn: &mut DbConn, sha256: &str) -> AppResult<Verification> {
    let sha256 = sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let Signed {
        structure_id,
        meeting_id,
        revision,
        format,
        annex_name,
    } = match store::minutes::by_fingerprint(conn, &sha256)? {
        Some(document) => Signed {
            structure_id: document.structure_id,
            meeting_id: document.meeting_id,
            revision: document.revision,
            format: document.format,
            annex_name: None,
        },
        None => signed_annex(conn, &sha256)?.ok_or(AppError::NotFound)?,
    };
    let scope = Scope::Structure(structure_id.clone());
    let meeting = store::meetings::find(conn, &scope, &meeting_id).found()?;
    let committee = store::committees::find(conn, &scope, &meeting.committee_id).found()?;
    let structure = store::structures::find(conn, &scope, &structure_id).found()?;
    let minutes =
        store::minutes::revision(conn, &meeting.id, revision)?.ok_or(AppError::NotFound)?;
    let signed_at = minutes.signed_at.map(|t| t.and_utc());
    Ok(Verification {
        annex_name,
        found: true,
        sha256,
        format: Some(format),
        structure_name: Some(structure.name),
        committee_name: Some(committee.name),
        meeting_date: Some(crate::french::long_date_of(meeting.starts_at.and_utc())),
        revision: Some(revision),
        signer: minutes.signer_name,
        signed_at: signed_at.map(|t| {
            format!(
                "{} à {}",
                crate::french::date(crate::clock::paris_date(t)),
                crate::french::time(t)
            )
        }),
        signed_at_utc: signed_at,
    })
}

/// What a signed copy proves, in the words of the verification page.
#[derive(Debug, Serialize, ToSchema)]
pub struct CopyVerification {
    /// Every signature intact and trusted, nothing added after the last.
    pub valid: bool,
    /// The file is, byte for byte, a compte-rendu clu holds.
    pub identical: bool,
    /// The verdict, in French.
    pub verdict: String,
    /// What each check found, in French, in order.
    pub findings: Vec<String>,
    /// The signed compte-rendu the signature is over, when clu holds it.
    pub document: Option<Verification>,
    pub report: crate::signature::verify::Report,
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{} à {}",
        crate::french::date(crate::clock::paris_date(at)),
        crate::french::time(at)
    )
}

/// What the signatures of a copy prove, with the meeting and revision
/// they are over, and whether the file is the one clu holds.
pub fn copy(
    conn: &mut DbConn,
    report: crate::signature::verify::Report,
) -> AppResult<CopyVerification> {
    let identical = store::minutes::by_fingerprint(conn, &report.sha256)?.is_some();
    let mut document = None;
    let mut findings = Vec::new();
    for signature in &report.signatures {
        if document.is_none() && signature.intact && signature.kind == "signature" {
            document = match verify(conn, &signature.revision_sha256) {
                Ok(found) => Some(found),
                Err(AppError::NotFound) => None,
                Err(err) => return Err(err),
            };
        }
        findings.push(finding(signature));
    }
    if report.changed_after_signing {
        findings
            .push("Des données ont été ajoutées au fichier après sa dernière signature.".into());
    }
    let first = report.signatures.first();
    let verdict = if report.signatures.is_empty() {
        "Ce fichier ne porte aucune signature électronique.".to_owned()
    } else if report.signatures.iter().any(|s| !s.intact) {
        "Ce fichier a été modifié après sa signature : sa signature est rompue.".to_owned()
    } else if !report.signatures.iter().any(|s| s.ours) || document.is_none() {
        "La signature est intacte, mais ce document n'a pas été signé par cette installation clu."
            .to_owned()
    } else if !report.valid {
        "Ce compte-rendu a été signé par cette installation clu, mais une vérification a échoué (voir ci-dessous).".to_owned()
    } else if identical {
        "Ce compte-rendu est authentique et identique, octet pour octet, à l'exemplaire signé conservé par clu.".to_owned()
    } else {
        "Ce compte-rendu est authentique : sa signature est intacte.".to_owned()
    };
    if first.is_some_and(|s| s.local_certificate) {
        findings.push("Le certificat de signature est le certificat local de cette installation : il n'est pas qualifié, et seule cette page en atteste.".into());
    }
    Ok(CopyVerification {
        valid: report.valid && document.is_some(),
        identical,
        verdict,
        findings,
        document,
        report,
    })
}

/// One signature's checks, in a sentence.
fn finding(signature: &crate::signature::verify::SignatureCheck) -> String {
    let mut text = if signature.kind == "horodatage" {
        match (&signature.timestamped_by, signature.timestamped_at) {
            (Some(by), Some(at)) => format!("Horodatage du document par {by}, le {}", when(at)),
            _ => "Horodatage du document".to_owned(),
        }
    } else {
        let mut text = format!(
            "Signature de {}",
            signature
                .name
                .as_deref()
                .unwrap_or("(signataire non nommé)")
        );
        if let Some(certificate) = &signature.certificate {
            text.push_str(&format!(" (certificat « {certificate} »)"));
        }
        if let Some(at) = signature.signed_at {
            text.push_str(&format!(", le {}", when(at)));
        }
        if let (Some(by), Some(at)) = (&signature.timestamped_by, signature.timestamped_at) {
            text.push_str(&format!(", horodatée par {by} le {}", when(at)));
        } else {
            text.push_str(", sans horodatage");
        }
        text
    };
    text.push_str(match (signature.intact, signature.trusted) {
        (false, _) => " : ROMPUE",
        (true, true) => " : intacte, certificat reconnu",
        (true, false) => " : intacte, mais certificat non reconnu",
    });
    if let Some(problem) = &signature.problem {
        text.push_str(&format!(" ({problem})"));
    }
    text.push('.');
    text
}

/// What a fingerprint was found as: a signed document, or an annex.
struct Signed {
    structure_id: String,
    meeting_id: String,
    revision: i32,
    format: String,
    annex_name: Option<String>,
}

/// An annex with this fingerprint listed in a signed compte-rendu: the
/// first revision signed after it was attached (annexes are frozen once
/// signed).
fn signed_annex(conn: &mut DbConn, sha256: &str) -> AppResult<Option<Signed>> {
    for annex in store::annexes::with_content(conn, sha256)? {
        let signed = store::minutes::revisions(conn, &annex.meeting_id)?
            .into_iter()
            .filter(|m| m.signed_at.is_some_and(|at| at >= annex.created_at))
            .min_by_key(|m| m.revision);
        if let Some(minutes) = signed {
            return Ok(Some(Signed {
                structure_id: annex.structure_id,
                meeting_id: annex.meeting_id,
                revision: minutes.revision,
                format: "annexe".to_owned(),
                annex_name: Some(annex.file_name),
            }));
        }
    }
    Ok(None)
}

/// The annex with this fingerprint, once a signed compte-rendu lists it:
/// served to whoever holds the fingerprint (the distributed compte-rendu
/// and its e-mail give it), as the documents are verified.
pub fn signed_annex_file(
    conn: &mut DbConn,
    sha256: &str,
) -> AppResult<crate::domain::meetings::annexes::Annex> {
    let sha256 = sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    for annex in store::annexes::with_content(conn, &sha256)? {
        let signed = store::minutes::revisions(conn, &annex.meeting_id)?
            .iter()
            .any(|m| m.signed_at.is_some_and(|at| at >= annex.created_at));
        if signed {
            return crate::domain::meetings::annexes::get(conn, &Scope::All, &annex.id);
        }
    }
    Err(AppError::NotFound)
}
