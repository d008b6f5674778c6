//! The staff told of the minutes' progress, through the outbox in the
//! same transaction: the structure's signatories when minutes are
//! submitted, its secrétariat when they are returned (with the comment) or
//! signed.

use serde_json::json;

use crate::auth::Role;
use crate::db::DbConn;
use crate::domain::meetings::notices::Notices;
use crate::domain::meetings::print;
use crate::error::AppResult;
use crate::store;
use crate::store::meetings::MeetingRow;
use crate::store::minutes::MinutesRow;

/// What happened to the minutes.
pub enum Progress<'a> {
    Submitted,
    Returned { comment: &'a str },
    Signed,
}

impl Progress<'_> {
    fn folder(&self) -> &'static str {
        match self {
            Self::Submitted => "minutes-submitted",
            Self::Returned { .. } => "minutes-returned",
            Self::Signed => "minutes-signed",
        }
    }

    /// Who is told, and which page their link opens.
    fn audience(&self) -> (Role, &'static str) {
        match self {
            Self::Submitted => (Role::Signatory, "/compte-rendu/signature"),
            Self::Returned { .. } | Self::Signed => (Role::Secretariat, "/compte-rendu"),
        }
    }
}

/// Writes one message per active user of the audience; returns how many.
pub fn staff(
    conn: &mut DbConn,
    notices: &Notices,
    meeting: &MeetingRow,
    row: &MinutesRow,
    progress: Progress<'_>,
) -> AppResult<usize> {
    let (role, page) = progress.audience();
    let users = store::users::active_with_role(conn, &meeting.structure_id, role.as_str())?;
    if users.is_empty() {
        return Ok(0);
    }
    let context = print::meeting_context(conn, meeting)?;
    let comment = match progress {
        Progress::Returned { comment } => Some(comment),
        _ => None,
    };
    for user in &users {
        let data = json!({
            "structure": context.structure,
            "committee": context.committee,
            "meeting": context.meeting,
            "revision": row.revision,
            "user_name": user.display_name,
            "submitted_by": row.submitted_by_name,
            "signer_name": row.signer_name,
            "comment": comment,
            "url": notices.url(&format!("/reunions/{}{page}", meeting.id)),
        });
        notices.to_staff(
            conn,
            progress.folder(),
            meeting,
            &user.email,
            &data,
            Default::default(),
        )?;
    }
    Ok(users.len())
}
