//! Meetings: creating and changing them (a convened meeting's new time or
//! place is sent to the invited), cancelling, and moving them along their
//! lifecycle (`meeting_status`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub use super::status::{MeetingMode, MeetingStatus, ensure_move, ensure_status};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::domain::validate::{Check, nullable};
use crate::error::{AppError, AppResult};
use crate::store::meetings::{AgendaItemRow, MeetingRow};
use crate::store::{self, Page, Scope};
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Meeting {
    pub id: String,
    pub committee_id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    pub mode: MeetingMode,
    pub chair_member_id: Option<String>,
    pub status: MeetingStatus,
    /// Raised each time the invited are told of a change.
    pub sequence: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<MeetingRow> for Meeting {
    type Error = AppError;

    fn try_from(row: MeetingRow) -> AppResult<Self> {
        Ok(Self {
            mode: MeetingMode::from_stored(&row.mode)?,
            status: MeetingStatus::from_stored(&row.status)?,
            id: row.id,
            committee_id: row.committee_id,
            title: row.title,
            starts_at: row.starts_at.and_utc(),
            ends_at: row.ends_at.and_utc(),
            location: row.location,
            chair_member_id: row.chair_member_id,
            sequence: row.sequence,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub location: Option<String>,
    pub mode: MeetingMode,
    #[serde(default)]
    pub chair_member_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingPatch {
    pub title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    pub mode: Option<MeetingMode>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub chair_member_id: Option<Option<String>>,
}

fn check_row(conn: &mut DbConn, row: &mut MeetingRow) -> AppResult<()> {
    let mut check = Check::new();
    row.title = check.text("title", &row.title, 1, 200);
    row.location = check.optional_text("location", row.location.as_deref(), 200);
    if row.ends_at <= row.starts_at {
        check.add("ends_at", "la fin doit suivre le début");
    } else if row.ends_at - row.starts_at > chrono::Duration::hours(24) {
        check.add("ends_at", "une réunion dure au plus 24 heures");
    }
    if let Some(chair) = &row.chair_member_id {
        let scope = Scope::Structure(row.structure_id.clone());
        match store::members::find(conn, &scope, chair)? {
            Some((member, _)) if member.anonymized_at.is_none() => {}
            _ => check.add("chair_member_id", "membre inconnu"),
        }
    }
    check.finish()
}

/// Trimmed to the microsecond, as both databases keep it.
fn stored(instant: DateTime<Utc>) -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    instant.trunc_subsecs(6).naive_utc()
}

fn record(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    row: &MeetingRow,
    verb: &str,
    summary: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: &format!("meeting.{verb}"),
            entity: "meeting",
            entity_id: &row.id,
            summary,
        },
    )
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    committee_id: &str,
    input: NewMeeting,
) -> AppResult<Meeting> {
    let committee = store::committees::find(conn, &caller.scope(), committee_id).found()?;
    let mut row = MeetingRow {
        id: store::new_id(),
        structure_id: committee.structure_id,
        committee_id: committee.id,
        title: input.title,
        starts_at: stored(input.starts_at),
        ends_at: stored(input.ends_at),
        location: input.location,
        mode: input.mode.as_str().into(),
        chair_member_id: input.chair_member_id,
        status: MeetingStatus::Draft.as_str().into(),
        sequence: 0,
        auto_reminder_sent_at: None,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    check_row(conn, &mut row)?;
    store::meetings::insert(conn, &row)?;
    record(
        conn,
        caller,
        now,
        &row,
        "create",
        json!({ "starts_at": row.starts_at.and_utc() }),
    )?;
    // The minutes of the previous signed meeting are approved first.
    if let Some(previous) =
        store::meetings::last_signed_before(conn, &row.committee_id, row.starts_at)?
    {
        let title = format!(
            "Approbation du compte-rendu de la réunion du {}",
            crate::french::long_date_of(previous.starts_at.and_utc())
        );
        store::meetings::insert_item(
            conn,
            &AgendaItemRow {
                id: store::new_id(),
                structure_id: row.structure_id.clone(),
                meeting_id: row.id.clone(),
                position: 1,
                title,
                presenter: None,
                annex_label: None,
                created_at: now.naive_utc(),
                updated_at: now.naive_utc(),
            },
        )?;
    }
    row.try_into()
}

/// What changed that the invited must be told of, in French.
fn announced_changes(before: &MeetingRow, after: &MeetingRow) -> Vec<String> {
    let mut changes = Vec::new();
    if before.starts_at.date() != after.starts_at.date() {
        changes.push(format!(
            "Nouvelle date : {}",
            crate::french::long_date_of(after.starts_at.and_utc())
        ));
    }
    if (before.starts_at, before.ends_at) != (after.starts_at, after.ends_at) {
        changes.push(format!(
            "Nouvel horaire : {}",
            crate::french::hours(after.starts_at.and_utc(), after.ends_at.and_utc())
        ));
    }
    if before.location != after.location {
        changes.push(format!(
            "Nouveau lieu : {}",
            after.location.as_deref().unwrap_or("à préciser")
        ));
    }
    if before.mode != after.mode {
        let mode = MeetingMode::parse(&after.mode).map_or("", MeetingMode::label);
        changes.push(format!("Nouvelle modalité : {mode}"));
    }
    changes
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    ctx: &super::notices::Notices,
    id: &str,
    patch: MeetingPatch,
    seen: Option<DateTime<Utc>>,
) -> AppResult<Meeting> {
    let now = ctx.now;
    let before = store::meetings::find(conn, &caller.scope(), id).found()?;
    crate::domain::unchanged_since(seen, before.updated_at)?;
    let status = ensure_status(
        &before,
        &[MeetingStatus::Draft, MeetingStatus::Convened],
        "la modifier",
    )?;
    let mut row = before.clone();
    row.title = patch.title.unwrap_or(row.title);
    row.starts_at = patch.starts_at.map_or(row.starts_at, stored);
    row.ends_at = patch.ends_at.map_or(row.ends_at, stored);
    row.location = patch.location.unwrap_or(row.location);
    row.mode = patch.mode.map_or(row.mode, |m| m.as_str().into());
    row.chair_member_id = patch.chair_member_id.unwrap_or(row.chair_member_id);
    check_row(conn, &mut row)?;
    let changes = announced_changes(&before, &row);
    let changed: Vec<&str> = audit::changed([
        ("title", before.title != row.title),
        ("starts_at", before.starts_at != row.starts_at),
        ("ends_at", before.ends_at != row.ends_at),
        ("location", before.location != row.location),
        ("mode", before.mode != row.mode),
        (
            "chair_member_id",
            before.chair_member_id != row.chair_member_id,
        ),
    ]);
    if changed.is_empty() {
        return before.try_into();
    }
    let tell_invited = status == MeetingStatus::Convened && !changes.is_empty();
    if tell_invited {
        row.sequence += 1;
    }
    if row.starts_at != before.starts_at {
        row.auto_reminder_sent_at = None;
    }
    row.updated_at = now.naive_utc();
    store::meetings::update(conn, &row)?;
    let mut summary = json!({ "changed": changed });
    if tell_invited {
        summary["updates_queued"] = json!(ctx.meeting_changed(conn, &row, &changes)?);
    }
    record(conn, caller, now, &row, "update", summary)?;
    row.try_into()
}

/// Cancels a draft or convened meeting; the invited are told.
pub fn cancel(
    conn: &mut DbConn,
    caller: &Caller,
    ctx: &super::notices::Notices,
    id: &str,
) -> AppResult<Meeting> {
    let mut row = store::meetings::find(conn, &caller.scope(), id).found()?;
    let previous = ensure_move(&row, MeetingStatus::Cancelled)?;
    row.status = MeetingStatus::Cancelled.as_str().into();
    row.updated_at = ctx.now.naive_utc();
    let mut queued = 0;
    if previous == MeetingStatus::Convened {
        row.sequence += 1;
        queued = ctx.meeting_cancelled(conn, &row)?;
    }
    store::meetings::update(conn, &row)?;
    record(
        conn,
        caller,
        ctx.now,
        &row,
        "cancel",
        json!({ "cancellations_queued": queued }),
    )?;
    row.try_into()
}

/// Moves the meeting along its lifecycle (e.g. convened → held).
pub fn advance(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    next: MeetingStatus,
) -> AppResult<Meeting> {
    let mut row = store::meetings::find(conn, &caller.scope(), id).found()?;
    let previous = ensure_move(&row, next)?;
    row.status = next.as_str().into();
    row.updated_at = now.naive_utc();
    store::meetings::update(conn, &row)?;
    record(
        conn,
        caller,
        now,
        &row,
        "status",
        json!({ "from": previous.as_str(), "to": next.as_str() }),
    )?;
    row.try_into()
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<Meeting> {
    store::meetings::find(conn, scope, id).found()?.try_into()
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    committee_id: &str,
    page: Page,
) -> AppResult<(Vec<Meeting>, i64)> {
    store::committees::find(conn, scope, committee_id).found()?;
    let (rows, total) = store::meetings::list(conn, committee_id, page)?;
    Ok((
        rows.into_iter()
            .map(Meeting::try_from)
            .collect::<AppResult<_>>()?,
        total,
    ))
}

/// The meetings of every committee the caller may see, with the
/// committee's name: to come (soonest first) or past (latest first).
pub fn in_scope(
    conn: &mut DbConn,
    scope: &Scope,
    when: store::meetings::When,
    page: Page,
) -> AppResult<(Vec<(Meeting, String)>, i64)> {
    let (rows, total) = store::meetings::in_scope(conn, scope, when, page)?;
    let meetings = rows
        .into_iter()
        .map(|(row, committee)| Ok((Meeting::try_from(row)?, committee)))
        .collect::<AppResult<_>>()?;
    Ok((meetings, total))
}
