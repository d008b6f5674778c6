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
