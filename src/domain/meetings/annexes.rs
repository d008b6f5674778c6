//! The annexes of a meeting: files attached to one of its agenda items or
//! to the meeting itself (the quality indicators, a programme's
//! presentation), stored in the database once per content. They change
//! until the compte-rendu is signed; then they are part of what was signed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::MeetingStatus;
use super::annex_files::{self as files, Received};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::error::{AppError, AppResult};
use crate::store::annexes::{AnnexRow, ContentRow};
use crate::store::meetings::AgendaItemRow;
use crate::store::meetings::MeetingRow;
use crate::store::{self, Scope};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Annex {
    pub id: String,
    pub meeting_id: String,
    /// None: a document of the meeting itself, not of one item.
    pub agenda_item_id: Option<String>,
    /// The item's number in the agenda, when it is an item's.
    pub item_number: Option<i32>,
    pub position: i32,
    /// For display only: the file's own name, cleaned.
    pub file_name: String,
    /// Read from the content, not the name.
    pub media_type: String,
    /// "PDF", "tableur OpenDocument"…
    pub type_label: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

fn annex(row: AnnexRow, content: ContentRow, item_number: Option<i32>) -> Annex {
    Annex {
        type_label: files::type_label(&content.media_type).to_owned(),
        id: row.id,
        meeting_id: row.meeting_id,
        agenda_item_id: row.agenda_item_id,
        item_number,
        position: row.position,
        file_name: row.file_name,
        media_type: content.media_type,
        size: content.size,
        sha256: content.sha256,
        created_at: row.created_at.and_utc(),
    }
}

/// Where a file goes: to the meeting, to one of its items, or in place of
/// one of its annexes (which keeps its item, its place and its link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Meeting(String),
    AgendaItem(String),
    Annex(String),
}

/// The limits of the settings: per file, and for all of a meeting's annexes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub file_bytes: usize,
    pub meeting_bytes: usize,
}

/// A rename, or a move to another item (null: to the meeting itself).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnexPatch {
    pub file_name: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::validate::nullable")]
    #[schema(value_type = Option<String>)]
    pub agenda_item_id: Option<Option<String>>,
}

/// The new order of all of a meeting's annexes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnexOrder {
    pub ids: Vec<String>,
}

/// Annexes change until the compte-rendu is signed, and not once the
/// meeting is cancelled.
pub(super) fn ensure_changeable(meeting: &MeetingRow) -> AppResult<()> {
    match MeetingStatus::from_stored(&meeting.status)? {
        MeetingStatus::MinutesSigned => Err(AppError::Conflict(
            "le compte-rendu est signé : ses annexes ne changent plus".into(),
        )),
        MeetingStatus::Cancelled => Err(AppError::Conflict(
            "la réunion est annulée : ses annexes ne changent plus".into(),
        )),
        _ => Ok(()),
    }
}

/// Where an upload goes: its meeting, still changeable, and the annex it
/// replaces, if it replaces one.
struct Place {
    meeting: MeetingRow,
    replaced: Option<AnnexRow>,
    /// What the meeting's annexes weigh, the one replaced left out.
    used: i64,
}

fn place(conn: &mut DbConn, scope: &Scope, target: &Target) -> AppResult<Place> {
    let (meeting_id, replaced) = match target {
        Target::Meeting(id) => (id.clone(), None),
        Target::AgendaItem(id) => {
            let item = store::meetings::find_item(conn, scope, id).found()?;
            (item.meeting_id, None)
        }
        Target::Annex(id) => {
            let (row, content) = in_scope(conn, scope, id)?;
            (row.meeting_id.clone(), Some((row, content)))
        }
    };
    let meeting = store::meetings::find(conn, scope, &meeting_id).found()?;
    ensure_changeable(&meeting)?;
    let used = store::annexes::meeting_usage(conn, &meeting.id)?
        - replaced.as_ref().map_or(0, |(_, content)| content.size);
    Ok(Place {
        meeting,
        replaced: replaced.map(|(row, _)| row),
        used,
    })
}

/// What may still be uploaded to the meeting of `target`.
pub fn room_for(
    conn: &mut DbConn,
    scope: &Scope,
    target: &Target,
    limits: Limits,
) -> AppResult<usize> {
    let used = usize::try_from(place(conn, scope, target)?.used).unwrap_or(0);
    Ok(limits
        .file_bytes
        .min(limits.meeting_bytes.saturating_sub(used)))
}

pub fn list(conn: &mut DbConn, scope: &Scope, meeting_id: &str) -> AppResult<Vec<Annex>> {
    let meeting = store::meetings::find(conn, scope, meeting_id).found()?;
    of_meeting(conn, &meeting.id)
}

/// A meeting's annexes, in agenda order (no scope: the caller has it).
pub fn of_meeting(conn: &mut DbConn, meeting_id: &str) -> AppResult<Vec<Annex>> {
    let items = store::meetings::items(conn, meeting_id)?;
    Ok(store::annexes::of_meeting(conn, meeting_id)?
        .into_iter()
        .map(|(row, content, _)| {
            let number = number_in(&items, row.agenda_item_id.as_deref());
            annex(row, content, number)
        })
        .collect())
}

/// An item's number in the agenda, as the documents print it.
fn number_in(items: &[AgendaItemRow], item: Option<&str>) -> Option<i32> {
    let index = items.iter().position(|i| Some(i.id.as_str()) == item)?;
    i32::try_from(index + 1).ok()
}

fn in_scope(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<(AnnexRow, ContentRow)> {
    store::annexes::find_any(conn, id)?
        .filter(|(row, _)| scope.includes(Some(&row.structure_id)))
        .ok_or(AppError::NotFound)
}

/// One annex and its content, in scope.
pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<Annex> {
    let (row, content) = in_scope(conn, scope, id)?;
    with_number(conn, row, content)
}

fn with_number(conn: &mut DbConn, row: AnnexRow, content: ContentRow) -> AppResult<Annex> {
    let items = store::meetings::items(conn, &row.meeting_id)?;
    let number = number_in(&items, row.agenda_item_id.as_deref());
    Ok(annex(row, content, number))
}

fn record(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    row: &AnnexRow,
    action: &str,
    summary: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action,
            entity: "annex",
            entity_id: &row.id,
            summary,
        },
    )
}

/// The content of a received file, stored unless the same bytes already
/// are.
fn stored(conn: &mut DbConn, now: DateTime<Utc>, file: &Received) -> AppResult<ContentRow> {
    if let Some(content) = store::annexes::content(conn, &file.sha256)? {
        return Ok(content);
    }
    let content = ContentRow {
        sha256: file.sha256.clone(),
        size: file.size,
        media_type: file.media_type.to_owned(),
        created_at: now.naive_utc(),
    };
    store::annexes::insert_content(conn, &content, &file.chunks)?;
    Ok(content)
}

/// Attaches a received file to `target`, or puts it in place of the annex
/// it names. The meeting's limit is checked again here, in the
/// transaction.
pub fn attach(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    target: &Target,
    file: &Received,
    limits: Limits,
) -> AppResult<Annex> {
    let Place {
        meeting,
        replaced,
        used,
    } = place(conn, &caller.scope(), target)?;
    let limit = i64::try_from(limits.meeting_bytes).unwrap_or(i64::MAX);
    if used + file.size > limit {
        return Err(AppError::PayloadTooLarge {
            limit: limits.meeting_bytes,
        });
    }
    let content = stored(conn, now, file)?;
    if let Some(row) = replaced {
        return replace(conn, caller, now, row, file, content);
    }
    let agenda_item_id = match target {
        Target::AgendaItem(id) => Some(id.clone()),
        Target::Meeting(_) | Target::Annex(_) => None,
    };
    let row = AnnexRow {
        id: store::new_id(),
        structure_id: meeting.structure_id.clone(),
        meeting_id: meeting.id.clone(),
        agenda_item_id,
        position: store::annexes::next_position(conn, &meeting.id)?,
        file_name: file.file_name.clone(),
        sha256: content.sha256.clone(),
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    store::annexes::insert(conn, &row)?;
    record(
        conn,
        caller,
        now,
        &row,
        "annex.add",
        json!({ "meeting_id": row.meeting_id, "agenda_item_id": row.agenda_item_id, "file_name": row.file_name, "sha256": row.sha256, "size": content.size }),
    )?;
    with_number(conn, row, content)
}

/// A new version of an annex: its bytes and name change, its id, item and
/// place stay; the old bytes go when no other annex has them.
fn replace(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    mut row: AnnexRow,
    file: &Received,
    content: ContentRow,
) -> AppResult<Annex> {
    let previous = std::mem::replace(&mut row.sha256, content.sha256.clone());
    let previous_name = std::mem::replace(&mut row.file_name, file.file_name.clone());
    row.updated_at = now.naive_utc();
    store::annexes::update(conn, &row)?;
    store::annexes::delete_content_if_unused(conn, &previous)?;
    record(
        conn,
        caller,
        now,
        &row,
        "annex.replace",
        json!({ "meeting_id": row.meeting_id, "file_name": row.file_name, "previous_file_name": previous_name, "sha256": row.sha256, "previous_sha256": previous, "size": content.size }),
    )?;
    with_number(conn, row, content)
}

fn changeable(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<(AnnexRow, ContentRow)> {
    let (row, content) = in_scope(conn, &caller.scope(), id)?;
    let meeting = store::meetings::find(conn, &caller.scope(), &row.meeting_id).found()?;
    ensure_changeable(&meeting)?;
    Ok((row, content))
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    patch: AnnexPatch,
) -> AppResult<Annex> {
    let (mut row, content) = changeable(conn, caller, id)?;
    let before = row.clone();
    if let Some(name) = patch.file_name {
        let cleaned = files::clean_name(&name);
        if cleaned.is_empty() {
            return Err(AppError::validation(
                "file_name",
                "indiquez un nom de fichier",
            ));
        }
        row.file_name = cleaned;
    }
    if let Some(item) = patch.agenda_item_id {
        if let Some(item_id) = &item {
            let found = store::meetings::find_item(conn, &caller.scope(), item_id)?
                .filter(|i| i.meeting_id == row.meeting_id);
            if found.is_none() {
                return Err(AppError::validation(
                    "agenda_item_id",
                    "ce point n’est pas à l’ordre du jour de la réunion",
                ));
            }
        }
        row.agenda_item_id = item;
    }
    if row != before {
        row.updated_at = now.naive_utc();
        store::annexes::update(conn, &row)?;
        record(
            conn,
            caller,
            now,
            &row,
            "annex.update",
            json!({ "meeting_id": row.meeting_id, "file_name": row.file_name, "agenda_item_id": row.agenda_item_id }),
        )?;
    }
    with_number(conn, row, content)
}

/// Removes an annex; its bytes go when no other annex has them.
pub fn remove(conn: &mut DbConn, caller: &Caller, now: DateTime<Utc>, id: &str) -> AppResult<()> {
    let (row, _) = changeable(conn, caller, id)?;
    store::annexes::delete(conn, &row.id)?;
    store::annexes::delete_content_if_unused(conn, &row.sha256)?;
    record(
        conn,
        caller,
        now,
        &row,
        "annex.delete",
        json!({ "meeting_id": row.meeting_id, "file_name": row.file_name, "sha256": row.sha256 }),
    )
}
