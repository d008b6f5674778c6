//! The minutes' workflow: draft (saved any number of times) → submitted →
//! signed by the structure's signatory (`signing`), or returned to draft
//! with a comment; a correction of signed minutes is a new revision.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::model::{
    Minutes, MinutesInput, MinutesItem, MinutesStatus, ReturnComment, ReturnRequest, blank, record,
    set_meeting_status, view,
};
use super::notify::{self, Progress};
use crate::auth::{Caller, Role};
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::meetings::MeetingStatus;
use crate::domain::meetings::notices::Notices;
use crate::domain::validate::Check;
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::meetings::MeetingRow;
use crate::store::minutes::MinutesRow;

fn ensure_draft(row: &MinutesRow) -> AppResult<()> {
    if row.status == MinutesStatus::Draft.as_str() {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "le compte-rendu (révision {}) est au statut « {} » : il ne peut plus être modifié",
            row.revision, row.status
        )))
    }
}

/// Normalises "15h55" / "15:55" to "15:55".
fn closing_time(check: &mut Check, value: Option<String>) -> Option<String> {
    let value = value
        .map(|v| v.trim().replace(['h', 'H'], ":"))
        .filter(|v| !v.is_empty())?;
    match chrono::NaiveTime::parse_from_str(&value, "%H:%M") {
        Ok(time) => Some(time.format("%H:%M").to_string()),
        Err(_) => {
            check.add("closing_time", "heure attendue, par exemple 15:55");
            None
        }
    }
}

/// Saves the draft; the first save starts the minutes of a held meeting.
/// `seen`: when the revision had last changed in the form that saves
/// (`None`, the API, saves over whatever is there).
pub fn save(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    input: MinutesInput,
    seen: Option<DateTime<Utc>>,
) -> AppResult<Minutes> {
    let mut meeting = store::meetings::find(conn, &caller.scope(), meeting_id).found()?;
    let status = MeetingStatus::from_stored(&meeting.status)?;
    if !matches!(
        status,
        MeetingStatus::Held
            | MeetingStatus::MinutesDraft
            | MeetingStatus::MinutesSubmitted
            | MeetingStatus::MinutesSigned
    ) {
        return Err(AppError::Conflict(format!(
            "la réunion est au statut « {} » ({}) : le compte-rendu s'écrit une fois la réunion tenue",
            status.as_str(),
            status.label()
        )));
    }
    let existing = store::minutes::latest(conn, &meeting.id)?;
    let mut row = existing.clone().unwrap_or_else(|| blank(&meeting, now));
    ensure_draft(&row)?;
    if let Some(stored) = &existing {
        crate::domain::unchanged_since(seen, stored.updated_at)?;
    }
    let mut check = Check::new();
    row.opening = check.optional_text("opening", input.opening.as_deref(), 20_000);
    row.post_meeting_notes = check.optional_text(
        "post_meeting_notes",
        input.post_meeting_notes.as_deref(),
        20_000,
    );
    row.closing_time = closing_time(&mut check, input.closing_time);
    let agenda: Vec<String> = store::meetings::items(conn, &meeting.id)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut items = Vec::new();
    for (index, item) in input.items.into_iter().enumerate() {
        if !agenda.contains(&item.agenda_item_id) {
            check.add(
                &format!("items[{index}].agenda_item_id"),
                "point de l'ordre du jour inconnu pour cette réunion",
            );
        }
        items.push(MinutesItem {
            body: check.optional_text(
                &format!("items[{index}].body"),
                item.body.as_deref(),
                50_000,
            ),
            remarks: check.optional_text(
                &format!("items[{index}].remarks"),
                item.remarks.as_deref(),
                20_000,
            ),
            agenda_item_id: item.agenda_item_id,
        });
    }
    check.finish()?;
    row.items = serde_json::to_string(&items).map_err(AppError::internal)?;
    row.updated_at = now.naive_utc();
    if existing.is_some() {
        store::minutes::update(conn, &row)?;
    } else {
        store::minutes::insert(conn, &row)?;
    }
    set_meeting_status(conn, &mut meeting, MeetingStatus::MinutesDraft, now)?;
    record(
        conn,
        caller,
        now,
        &row,
        "save",
        json!({ "revision": row.revision }),
    )?;
    view(conn, row)
}

pub(super) fn latest_in(
    conn: &mut DbConn,
    caller: &Caller,
    meeting_id: &str,
) -> AppResult<(MeetingRow, MinutesRow)> {
    let meeting = store::meetings::find(conn, &caller.scope(), meeting_id).found()?;
    let row = store::minutes::latest(conn, &meeting.id)?.ok_or_else(|| {
        AppError::Conflict("aucun compte-rendu n'a encore été rédigé pour cette réunion".into())
    })?;
    Ok((meeting, row))
}

pub(super) fn ensure_status(
    row: &MinutesRow,
    expected: MinutesStatus,
    action: &str,
) -> AppResult<()> {
    if row.status == expected.as_str() {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "le compte-rendu (révision {}) est au statut « {} » : impossible de {action}",
            row.revision, row.status
        )))
    }
}

/// Submits the draft for signature and tells the structure's signatories.
pub fn submit(
    conn: &mut DbConn,
    caller: &Caller,
    notices: &Notices,
    meeting_id: &str,
) -> AppResult<Minutes> {
    let now = notices.now;
    let (mut meeting, mut row) = latest_in(conn, caller, meeting_id)?;
    ensure_status(&row, MinutesStatus::Draft, "le soumettre")?;
    row.status = MinutesStatus::Submitted.as_str().into();
    row.updated_at = now.naive_utc();
    row.submitted_by = Some(caller.user_id.clone());
    row.submitted_by_name = Some(caller.display_name.clone());
    row.submitted_at = Some(now.naive_utc());
    store::minutes::update(conn, &row)?;
    set_meeting_status(conn, &mut meeting, MeetingStatus::MinutesSubmitted, now)?;
    record(
        conn,
        caller,
        now,
        &row,
        "submit",
        json!({ "revision": row.revision }),
    )?;
    notify::staff(conn, notices, &meeting, &row, Progress::Submitted)?;
    view(conn, row)
}

/// Saves the draft and submits it, in one transaction: nothing is
/// submitted but what was just saved.
pub fn save_and_submit(
    conn: &mut DbConn,
    caller: &Caller,
    notices: &Notices,
    meeting_id: &str,
    input: MinutesInput,
    seen: Option<DateTime<Utc>>,
) -> AppResult<Minutes> {
    save(conn, caller, notices.now, meeting_id, input, seen)?;
    submit(conn, caller, notices, meeting_id)
}

/// Only a signatory of the meeting's own structure signs or returns.
pub(super) fn ensure_signatory(caller: &Caller, meeting: &MeetingRow) -> AppResult<()> {
    if caller.role == Role::Signatory
        && caller.structure_id.as_deref() == Some(meeting.structure_id.as_str())
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Returns the submitted minutes to draft with a comment, which the
/// secrétariat is sent and sees on its editor.
pub fn return_to_draft(
    conn: &mut DbConn,
    caller: &Caller,
    notices: &Notices,
    meeting_id: &str,
    request: ReturnRequest,
) -> AppResult<Minutes> {
    let now = notices.now;
    let (mut meeting, mut row) = latest_in(conn, caller, meeting_id)?;
    ensure_signatory(caller, &meeting)?;
    ensure_status(&row, MinutesStatus::Submitted, "le renvoyer en rédaction")?;
    let mut check = Check::new();
    let comment = check.text("comment", &request.comment, 1, 5000);
    check.finish()?;
    let mut comments: Vec<ReturnComment> =
        serde_json::from_str(&row.comments).map_err(AppError::internal)?;
    comments.push(ReturnComment {
        comment: comment.clone(),
        by: caller.display_name.clone(),
        at: now,
    });
    row.comments = serde_json::to_string(&comments).map_err(AppError::internal)?;
    row.status = MinutesStatus::Draft.as_str().into();
    row.updated_at = now.naive_utc();
    store::minutes::update(conn, &row)?;
    set_meeting_status(conn, &mut meeting, MeetingStatus::MinutesDraft, now)?;
    record(
        conn,
        caller,
        now,
        &row,
        "return",
        json!({ "revision": row.revision }),
    )?;
    let progress = Progress::Returned { comment: &comment };
    notify::staff(conn, notices, &meeting, &row, progress)?;
    view(conn, row)
}

/// Opens revision n + 1 of signed minutes as a draft; revision n stays.
pub fn revise(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
) -> AppResult<Minutes> {
    let (mut meeting, signed) = latest_in(conn, caller, meeting_id)?;
    ensure_status(&signed, MinutesStatus::Signed, "le réviser")?;
    let row = MinutesRow {
        id: store::new_id(),
        revision: signed.revision + 1,
        status: MinutesStatus::Draft.as_str().into(),
        comments: "[]".into(),
        signed_by: None,
        signer_name: None,
        signer_function: None,
        signer_delegation: None,
        signed_at: None,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
        submitted_by: None,
        submitted_by_name: None,
        submitted_at: None,
        ..signed
    };
    store::minutes::insert(conn, &row)?;
    set_meeting_status(conn, &mut meeting, MeetingStatus::MinutesDraft, now)?;
    record(
        conn,
        caller,
        now,
        &row,
        "revise",
        json!({ "revision": row.revision }),
    )?;
    view(conn, row)
}
