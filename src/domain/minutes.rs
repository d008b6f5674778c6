//! The minutes of a meeting and their workflow: draft (saved any number of
//! times) → submitted → signed by the structure's signatory, or returned to
//! draft with a comment. Signing renders every format once, stores the
//! bytes and their SHA-256, and freezes the revision; a correction is a new
//! revision.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::audit::{self, Event};
use super::meetings::{self, MeetingStatus};
use super::validate::Check;
use crate::auth::{Caller, Role};
use crate::db::DbConn;
use crate::documents;
use crate::error::{AppError, AppResult};
use crate::store::meetings::MeetingRow;
use crate::store::minutes::MinutesRow;
use crate::store::{self, Scope};
use crate::text_enum;

text_enum! {
    pub enum MinutesStatus {
        Draft = "draft",
        Submitted = "submitted",
        Signed = "signed",
    }
}

/// One agenda item's section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesItem {
    pub agenda_item_id: String,
    /// The discussion; paragraphs separated by blank lines.
    #[serde(default)]
    pub body: Option<String>,
    /// The remarks of the users' representatives.
    #[serde(default)]
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReturnComment {
    pub comment: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignedDocument {
    pub format: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Minutes {
    pub meeting_id: String,
    pub revision: i32,
    pub status: MinutesStatus,
    /// The opening statement (déclaration liminaire).
    pub opening: Option<String>,
    pub items: Vec<MinutesItem>,
    pub post_meeting_notes: Option<String>,
    /// "15:55".
    pub closing_time: Option<String>,
    /// Why it was returned to draft, oldest first.
    pub comments: Vec<ReturnComment>,
    pub signer_name: Option<String>,
    pub signer_function: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    /// The signed documents and their fingerprints.
    pub documents: Vec<SignedDocument>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesInput {
    #[serde(default)]
    pub opening: Option<String>,
    #[serde(default)]
    pub items: Vec<MinutesItem>,
    #[serde(default)]
    pub post_meeting_notes: Option<String>,
    /// "15:55" or "15h55".
    #[serde(default)]
    pub closing_time: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub comment: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// The signatory's password, asked again.
    pub password: String,
    /// "Le Secrétaire Général"; the chair's function by default.
    #[serde(default)]
    pub function: Option<String>,
    /// "Pour la Préfète et par délégation".
    #[serde(default)]
    pub delegation: Option<String>,
}

pub(super) fn view(conn: &mut DbConn, row: MinutesRow) -> AppResult<Minutes> {
    let mut documents = Vec::new();
    if row.status == MinutesStatus::Signed.as_str() {
        for format in documents::FORMATS {
            if let Some(document) = store::minutes::document(conn, &row.id, format)? {
                documents.push(SignedDocument {
                    format: format.into(),
                    sha256: document.sha256,
                });
            }
        }
    }
    Ok(Minutes {
        status: MinutesStatus::from_stored(&row.status)?,
        items: serde_json::from_str(&row.items).map_err(AppError::internal)?,
        comments: serde_json::from_str(&row.comments).map_err(AppError::internal)?,
        meeting_id: row.meeting_id,
        revision: row.revision,
        opening: row.opening,
        post_meeting_notes: row.post_meeting_notes,
        closing_time: row.closing_time,
        signer_name: row.signer_name,
        signer_function: row.signer_function,
        signed_at: row.signed_at.map(|t| t.and_utc()),
        documents,
    })
}

/// Revision 1, empty: what a meeting without minutes shows.
pub fn blank(meeting: &MeetingRow, now: DateTime<Utc>) -> MinutesRow {
    MinutesRow {
        id: store::new_id(),
        structure_id: meeting.structure_id.clone(),
        meeting_id: meeting.id.clone(),
        revision: 1,
        status: MinutesStatus::Draft.as_str().into(),
        opening: None,
        items: "[]".into(),
        post_meeting_notes: None,
        closing_time: None,
        comments: "[]".into(),
        signed_by: None,
        signer_name: None,
        signer_function: None,
        signer_delegation: None,
        signed_at: None,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    }
}

/// The latest revision, or a blank one (not stored).
pub fn current(
    conn: &mut DbConn,
    meeting: &MeetingRow,
    now: DateTime<Utc>,
) -> AppResult<MinutesRow> {
    Ok(store::minutes::latest(conn, &meeting.id)?.unwrap_or_else(|| blank(meeting, now)))
}

pub fn get(
    conn: &mut DbConn,
    scope: &Scope,
    meeting_id: &str,
    now: DateTime<Utc>,
) -> AppResult<Minutes> {
    let meeting = store::meetings::find(conn, scope, meeting_id)?;
    let row = current(conn, &meeting, now)?;
    view(conn, row)
}

pub(super) fn record(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    row: &MinutesRow,
    verb: &str,
    summary: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: &format!("minutes.{verb}"),
            entity: "minutes",
            entity_id: &row.id,
            summary,
        },
    )
}

pub(super) fn set_meeting_status(
    conn: &mut DbConn,
    meeting: &mut MeetingRow,
    next: MeetingStatus,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if meeting.status != next.as_str() {
        meetings::ensure_move(meeting, next)?;
        meeting.status = next.as_str().into();
        meeting.updated_at = now.naive_utc();
        store::meetings::update(conn, meeting)?;
    }
    Ok(())
}

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
pub fn save(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    input: MinutesInput,
) -> AppResult<Minutes> {
    let mut meeting = store::meetings::find(conn, &caller.scope(), meeting_id)?;
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
    let meeting = store::meetings::find(conn, &caller.scope(), meeting_id)?;
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

pub fn submit(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
) -> AppResult<Minutes> {
    let (mut meeting, mut row) = latest_in(conn, caller, meeting_id)?;
    ensure_status(&row, MinutesStatus::Draft, "le soumettre")?;
    row.status = MinutesStatus::Submitted.as_str().into();
    row.updated_at = now.naive_utc();
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
    view(conn, row)
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

pub fn return_to_draft(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    request: ReturnRequest,
) -> AppResult<Minutes> {
    let (mut meeting, mut row) = latest_in(conn, caller, meeting_id)?;
    ensure_signatory(caller, &meeting)?;
    ensure_status(&row, MinutesStatus::Submitted, "le renvoyer en rédaction")?;
    let mut check = Check::new();
    let comment = check.text("comment", &request.comment, 1, 5000);
    check.finish()?;
    let mut comments: Vec<ReturnComment> =
        serde_json::from_str(&row.comments).map_err(AppError::internal)?;
    comments.push(ReturnComment {
        comment,
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
