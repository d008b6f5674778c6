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
}

pub fn verify(conn: &mut DbConn, sha256: &str) -> AppResult<Verification> {
    let sha256 = sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let document = store::minutes::by_fingerprint(conn, &sha256)?.ok_or(AppError::NotFound)?;
    let scope = Scope::Structure(document.structure_id.clone());
    let meeting = store::meetings::find(conn, &scope, &document.meeting_id).found()?;
    let committee = store::committees::find(conn, &scope, &meeting.committee_id).found()?;
    let structure = store::structures::find(conn, &scope, &document.structure_id).found()?;
    let minutes = store::minutes::revision(conn, &meeting.id, document.revision)?
        .ok_or(AppError::NotFound)?;
    let signed_at = minutes.signed_at.map(|t| t.and_utc());
    Ok(Verification {
        found: true,
        sha256,
        format: Some(document.format),
        structure_name: Some(structure.name),
        committee_name: Some(committee.name),
        meeting_date: Some(crate::french::long_date_of(meeting.starts_at.and_utc())),
        revision: Some(document.revision),
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
