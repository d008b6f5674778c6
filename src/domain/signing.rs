//! Signing the minutes and serving the compte-rendu: the signature
//! renders every format once, stores the bytes and their SHA-256 and
//! freezes the revision; signed documents are served from those bytes,
//! drafts rendered anew with their "PROJET" mark.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::meetings::MeetingStatus;
use super::minutes::{
    Minutes, MinutesStatus, SignRequest, current, ensure_signatory, ensure_status, latest_in,
    record, set_meeting_status, view,
};
use super::validate::Check;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::documents::{self, pdf::PdfEngine};
use crate::error::{AppError, AppResult};
use crate::store::minutes::DocumentRow;
use crate::store::{self, Scope};
use crate::templates::Templates;

/// What signing needs besides the database.
pub struct Signing<'a> {
    pub templates: &'a Templates,
    pub pdf: &'a PdfEngine,
    pub public_url: &'a str,
}

/// Checks who signs (the password was checked before the transaction).
pub fn check_signer(conn: &mut DbConn, caller: &Caller, meeting_id: &str) -> AppResult<()> {
    let (meeting, row) = latest_in(conn, caller, meeting_id)?;
    ensure_signatory(caller, &meeting)?;
    ensure_status(&row, MinutesStatus::Submitted, "le signer")
}

/// Signs the submitted revision: renders every format, stores the bytes
/// and their SHA-256, and freezes the revision.
pub fn sign(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    request: &SignRequest,
    signing: &Signing<'_>,
) -> AppResult<Minutes> {
    let (mut meeting, mut row) = latest_in(conn, caller, meeting_id)?;
    ensure_signatory(caller, &meeting)?;
    ensure_status(&row, MinutesStatus::Submitted, "le signer")?;
    let chair_function = match &meeting.chair_member_id {
        Some(id) => {
            store::members::find(conn, &Scope::Structure(meeting.structure_id.clone()), id)?
                .0
                .function
        }
        None => None,
    };
    let mut check = Check::new();
    let function = check
        .optional_text("function", request.function.as_deref(), 200)
        .or(chair_function)
        .unwrap_or_else(|| "Le signataire".into());
    let delegation = check
        .optional_text("delegation", request.delegation.as_deref(), 200)
        .unwrap_or_default();
    check.finish()?;
    row.status = MinutesStatus::Signed.as_str().into();
    row.signed_by = Some(caller.user_id.clone());
    row.signer_name = Some(caller.display_name.clone());
    row.signer_function = Some(function);
    row.signer_delegation = Some(delegation);
    row.signed_at = Some(now.naive_utc());
    row.updated_at = now.naive_utc();
    let document = documents::compte_rendu(conn, &meeting, &row, false, now, signing.public_url)?;
    let mut fingerprints = serde_json::Map::new();
    for format in documents::FORMATS {
        let content = documents::render(signing.templates, signing.pdf, &document, format, now)?;
        let sha256 = documents::fingerprint(&content);
        fingerprints.insert(format.into(), json!(sha256));
        store::minutes::insert_document(
            conn,
            &DocumentRow {
                id: store::new_id(),
                structure_id: row.structure_id.clone(),
                meeting_id: meeting.id.clone(),
                minutes_id: row.id.clone(),
                revision: row.revision,
                format: format.into(),
                content,
                sha256,
                created_at: now.naive_utc(),
            },
        )?;
    }
    store::minutes::update(conn, &row)?;
    set_meeting_status(conn, &mut meeting, MeetingStatus::MinutesSigned, now)?;
    record(
        conn,
        caller,
        now,
        &row,
        "sign",
        json!({ "revision": row.revision, "sha256": fingerprints }),
    )?;
    view(conn, row)
}

/// A document of the meeting: the stored bytes of a signed revision, or a
/// fresh rendering marked "PROJET".
pub fn document(
    conn: &mut DbConn,
    scope: &Scope,
    meeting_id: &str,
    revision: Option<i32>,
    format: &str,
    now: DateTime<Utc>,
    signing: &Signing<'_>,
) -> AppResult<Vec<u8>> {
    let meeting = store::meetings::find(conn, scope, meeting_id)?;
    let row = match revision {
        Some(n) => store::minutes::revision(conn, &meeting.id, n)?.ok_or(AppError::NotFound)?,
        None => current(conn, &meeting, now)?,
    };
    if row.status == MinutesStatus::Signed.as_str() {
        return store::minutes::document(conn, &row.id, format)?
            .map(|d| d.content)
            .ok_or_else(|| AppError::internal("signed minutes without their document"));
    }
    let document = documents::compte_rendu(conn, &meeting, &row, true, now, signing.public_url)?;
    documents::render(signing.templates, signing.pdf, &document, format, now)
}
