//! Signing the minutes and serving the compte-rendu. Signing is split in
//! two transactions around the rendering, which takes long (the PDF about
//! 100 ms) and needs no connection: `prepare` checks who signs and gathers
//! the document; the caller renders every format; `store` re-checks that
//! the minutes are still the submitted revision that was rendered, then
//! stores the bytes and their SHA-256 and freezes the revision. Signed
//! documents are served from those bytes, drafts rendered anew with their
//! "PROJET" mark.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::json;

use super::compte_rendu;
use super::model::{
    Minutes, MinutesStatus, SignRequest, current, record, set_meeting_status, view,
};
use super::workflow::{ensure_signatory, ensure_status, latest_in};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::documents::{CompteRendu, Format};
use crate::domain::Found;
use crate::domain::meetings::MeetingStatus;
use crate::domain::meetings::notices::Notices;
use crate::domain::validate::Check;
use crate::error::{AppError, AppResult};
use crate::signature::{Level, Signatory};
use crate::store::meetings::MeetingRow;
use crate::store::minutes::{DocumentRow, MinutesRow};
use crate::store::{self, Scope};

/// Checks who signs (before the password is checked).
pub fn check_signer(conn: &mut DbConn, caller: &Caller, meeting_id: &str) -> AppResult<()> {
    let (meeting, row) = latest_in(conn, caller, meeting_id)?;
    ensure_signatory(caller, &meeting)?;
    ensure_status(&row, MinutesStatus::Submitted, "le signer")
}

/// The lines of the signature block the signing form proposes: the
/// chair's function, and the delegation the letterhead implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub function: String,
    pub delegation: String,
}

/// "Pour la Préfète et par délégation" under a Préfète's letterhead.
fn delegation_of(letterhead: &[String]) -> String {
    let head = letterhead.join(" ").to_uppercase();
    if head.contains("PRÉFÈTE") || head.contains("PREFETE") {
        "Pour la Préfète et par délégation".into()
    } else if head.contains("PRÉFET") || head.contains("PREFET") {
        "Pour le Préfet et par délégation".into()
    } else {
        String::new()
    }
}

fn chair_function(conn: &mut DbConn, meeting: &MeetingRow) -> AppResult<Option<String>> {
    Ok(match &meeting.chair_member_id {
        Some(id) => {
            store::members::find(conn, &Scope::Structure(meeting.structure_id.clone()), id)?
                .and_then(|(member, _)| member.function)
        }
        None => None,
    })
}

pub fn proposal(conn: &mut DbConn, caller: &Caller, meeting_id: &str) -> AppResult<Proposal> {
    let (meeting, _) = latest_in(conn, caller, meeting_id)?;
    let structure = crate::domain::accounts::structures::get(
        conn,
        &Scope::Structure(meeting.structure_id.clone()),
        &meeting.structure_id,
    )?;
    Ok(Proposal {
        function: chair_function(conn, &meeting)?.unwrap_or_default(),
        delegation: delegation_of(&structure.letterhead),
    })
}

/// The minutes about to be signed, with the document to render.
#[derive(Debug, Clone)]
pub struct ToSign {
    /// The revision as it will be stored, signer fields filled in.
    row: MinutesRow,
    /// When the submitted revision was last changed: `store` refuses if it
    /// changed since.
    seen_at: NaiveDateTime,
    pub document: CompteRendu,
}

/// Checks who signs and what, and gathers the signed document. Reads only.
pub fn prepare(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    request: &SignRequest,
    public_url: &str,
) -> AppResult<ToSign> {
    let (meeting, mut row) = latest_in(conn, caller, meeting_id)?;
    ensure_signatory(caller, &meeting)?;
    ensure_status(&row, MinutesStatus::Submitted, "le signer")?;
    let chair_function = chair_function(conn, &meeting)?;
    let mut check = Check::new();
    let function = check
        .optional_text("function", request.function.as_deref(), 200)
        .or(chair_function)
        .unwrap_or_else(|| "Le signataire".into());
    let delegation = check
        .optional_text("delegation", request.delegation.as_deref(), 200)
        .unwrap_or_default();
    check.finish()?;
    let seen_at = row.updated_at;
    row.status = MinutesStatus::Signed.as_str().into();
    row.signed_by = Some(caller.user_id.clone());
    row.signer_name = Some(caller.display_name.clone());
    row.signer_function = Some(function);
    row.signer_delegation = Some(delegation);
    row.signed_at = Some(now.naive_utc());
    row.updated_at = now.naive_utc();
    let document = compte_rendu::build(conn, &meeting, &row, false, now, public_url)?;
    Ok(ToSign {
        row,
        seen_at,
        document,
    })
}

impl ToSign {
    /// Who signs, as the PDF's signature says it.
    pub fn signatory(&self, verify_url: String) -> Signatory {
        Signatory {
            name: self.row.signer_name.clone().unwrap_or_default(),
            function: self.row.signer_function.clone().unwrap_or_default(),
            delegation: self.row.signer_delegation.clone().unwrap_or_default(),
            structure: self.document.meeting.structure.name.clone(),
            time: self.row.signed_at.unwrap_or(self.row.updated_at).and_utc(),
            verify_url,
        }
    }
}

/// Stores the rendered formats (the PDF signed, at `level`) and freezes
/// the revision, if the minutes are still the submitted revision
/// `prepare` saw.
pub fn store(
    conn: &mut DbConn,
    caller: &Caller,
    notices: &Notices,
    to_sign: ToSign,
    rendered: Vec<(Format, Vec<u8>)>,
    level: Level,
) -> AppResult<Minutes> {
    let now = notices.now;
    let row = to_sign.row;
    let (mut meeting, stored) = latest_in(conn, caller, &row.meeting_id)?;
    ensure_signatory(caller, &meeting)?;
    ensure_status(&stored, MinutesStatus::Submitted, "le signer")?;
    if stored.id != row.id || stored.updated_at != to_sign.seen_at {
        return Err(AppError::Conflict(
            "le compte-rendu a changé pendant la signature : relisez-le, puis signez à nouveau"
                .into(),
        ));
    }
    let mut fingerprints = serde_json::Map::new();
    for (format, content) in rendered {
        let sha256 = crate::documents::fingerprint(&content);
        fingerprints.insert(format.as_str().into(), json!(sha256));
        store::minutes::insert_document(
            conn,
            &DocumentRow {
                id: store::new_id(),
                structure_id: row.structure_id.clone(),
                meeting_id: meeting.id.clone(),
                minutes_id: row.id.clone(),
                revision: row.revision,
                format: format.as_str().into(),
                content,
                sha256,
                created_at: now.naive_utc(),
                signature_level: (format == Format::Pdf).then(|| level.as_str().to_owned()),
                first_sha256: None,
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
        json!({ "revision": row.revision, "sha256": fingerprints, "signature_level": level.as_str() }),
    )?;
    super::notify::staff(
        conn,
        notices,
        &meeting,
        &row,
        super::notify::Progress::Signed,
    )?;
    view(conn, row)
}

/// A document of the meeting, as found in the database.
pub enum Document {
    /// The stored bytes of a signed revision.
    Signed(Vec<u8>),
    /// A draft, to render (marked "PROJET").
    Draft(Box<CompteRendu>),
}

/// The stored bytes of a signed revision, or the draft to render.
pub fn document(
    conn: &mut DbConn,
    scope: &Scope,
    meeting_id: &str,
    revision: Option<i32>,
    format: Format,
    now: DateTime<Utc>,
    public_url: &str,
) -> AppResult<Document> {
    let meeting = store::meetings::find(conn, scope, meeting_id).found()?;
    let row = match revision {
        Some(n) => store::minutes::revision(conn, &meeting.id, n)?.ok_or(AppError::NotFound)?,
        None => current(conn, &meeting, now)?,
    };
    if row.status == MinutesStatus::Signed.as_str() {
        return store::minutes::document(conn, &row.id, format.as_str())?
            .map(|d| Document::Signed(d.content))
            .ok_or_else(|| AppError::internal("signed minutes without their document"));
    }
    let draft = compte_rendu::build(conn, &meeting, &row, true, now, public_url)?;
    Ok(Document::Draft(Box::new(draft)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letterhead_says_whose_delegation() {
        let lines = |l: &str| vec![l.to_owned()];
        assert_eq!(
            delegation_of(&lines("PRÉFÈTE DE LA HAUTE-MARNE")),
            "Pour la Préfète et par délégation"
        );
        assert_eq!(
            delegation_of(&lines("Préfet de la Meuse")),
            "Pour le Préfet et par délégation"
        );
        assert_eq!(delegation_of(&lines("Caisse d'allocations familiales")), "");
    }
}
