//! The minutes as the API shows them, their stored revisions, and what the
//! workflow and the signature share: the audit record and the meeting's
//! status that follows the minutes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::DbConn;
use crate::documents::Format;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::domain::meetings::{self, MeetingStatus};
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
    /// The PDF's PAdES level: "B-T" (signed and timestamped), or "B-B"
    /// (signed, no timestamp yet: the authority did not answer, or none is
    /// configured). None for HTML and Markdown.
    pub signature_level: Option<String>,
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
    /// Who last submitted this revision for signature, and when.
    pub submitted_by_name: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the revision last changed; a form sends it back to save
    /// over exactly what it showed.
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub comment: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
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
        for format in Format::ALL {
            if let Some(document) = store::minutes::document(conn, &row.id, format.as_str())? {
                documents.push(SignedDocument {
                    format: format.as_str().into(),
                    sha256: document.sha256,
                    signature_level: document.signature_level,
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
        submitted_by_name: row.submitted_by_name,
        submitted_at: row.submitted_at.map(|t| t.and_utc()),
        updated_at: row.updated_at.and_utc(),
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
        submitted_by: None,
        submitted_by_name: None,
        submitted_at: None,
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
    let meeting = store::meetings::find(conn, scope, meeting_id).found()?;
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
