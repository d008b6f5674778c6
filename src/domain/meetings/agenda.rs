//! A meeting's agenda (ordre du jour): items in order, reordered in one
//! call. It can change until the minutes are signed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::lifecycle::{self, MeetingStatus};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::domain::validate::{Check, nullable};
use crate::error::{AppError, AppResult};
use crate::store::meetings::{AgendaItemRow, MeetingRow};
use crate::store::{self, Scope};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaItem {
    pub id: String,
    pub meeting_id: String,
    /// 1, 2, 3… in the order of the agenda.
    pub position: i32,
    pub title: String,
    pub presenter: Option<String>,
    /// "annexe 1".
    pub annex_label: Option<String>,
}

impl From<AgendaItemRow> for AgendaItem {
    fn from(row: AgendaItemRow) -> Self {
        Self {
            id: row.id,
            meeting_id: row.meeting_id,
            position: row.position,
            title: row.title,
            presenter: row.presenter,
            annex_label: row.annex_label,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgendaItem {
    pub title: String,
    /// Where to insert it (1 = first); at the end by default.
    #[serde(default)]
    pub position: Option<i32>,
    #[serde(default)]
    pub presenter: Option<String>,
    #[serde(default)]
    pub annex_label: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemPatch {
    pub title: Option<String>,
    /// Moves the item to this place.
    pub position: Option<i32>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub presenter: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub annex_label: Option<Option<String>>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaOrder {
    /// Every item of the meeting, in the new order.
    pub ids: Vec<String>,
}

const EDITABLE: &[MeetingStatus] = &[
    MeetingStatus::Draft,
    MeetingStatus::Convened,
    MeetingStatus::Held,
    MeetingStatus::MinutesDraft,
];

fn editable_meeting(conn: &mut DbConn, scope: &Scope, meeting_id: &str) -> AppResult<MeetingRow> {
    let meeting = store::meetings::find(conn, scope, meeting_id).found()?;
    lifecycle::ensure_status(&meeting, EDITABLE, "modifier l'ordre du jour")?;
    Ok(meeting)
}

fn check_item(row: &mut AgendaItemRow) -> AppResult<()> {
    let mut check = Check::new();
    row.title = check.text("title", &row.title, 1, 300);
    row.presenter = check.optional_text("presenter", row.presenter.as_deref(), 200);
    row.annex_label = check.optional_text("annex_label", row.annex_label.as_deref(), 50);
    check.finish()
}

/// Writes positions 1…n in the order of `ids`.
fn renumber(conn: &mut DbConn, ids: &[String]) -> AppResult<()> {
    for (index, id) in ids.iter().enumerate() {
        store::meetings::set_position(conn, id, i32::try_from(index + 1).unwrap_or(i32::MAX))?;
    }
    Ok(())
}

/// The items' ids with `id` placed at `position` (1-based, clamped).
fn placed(mut ids: Vec<String>, id: &str, position: Option<i32>) -> Vec<String> {
    ids.retain(|other| other != id);
    let index = position.map_or(ids.len(), |p| {
        usize::try_from(p.max(1) - 1).unwrap_or(0).min(ids.len())
    });
    ids.insert(index, id.to_owned());
    ids
}

fn record(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting: &MeetingRow,
    verb: &str,
    id: &str,
) -> AppResult<()> {
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&meeting.structure_id),
            action: &format!("agenda_item.{verb}"),
            entity: "agenda_item",
            entity_id: id,
            summary: json!({ "meeting_id": meeting.id }),
        },
    )
}

pub fn list(conn: &mut DbConn, scope: &Scope, meeting_id: &str) -> AppResult<Vec<AgendaItem>> {
    store::meetings::find(conn, scope, meeting_id).found()?;
    Ok(store::meetings::items(conn, meeting_id)?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    input: NewAgendaItem,
) -> AppResult<AgendaItem> {
    let meeting = editable_meeting(conn, &caller.scope(), meeting_id)?;
    let mut row = AgendaItemRow {
        id: store::new_id(),
        structure_id: meeting.structure_id.clone(),
        meeting_id: meeting.id.clone(),
        position: 0,
        title: input.title,
        presenter: input.presenter,
        annex_label: input.annex_label,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    check_item(&mut row)?;
    store::meetings::insert_item(conn, &row)?;
    let ids = store::meetings::items(conn, &meeting.id)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    renumber(conn, &placed(ids, &row.id, input.position))?;
    record(conn, caller, now, &meeting, "create", &row.id)?;
    Ok(store::meetings::find_item(conn, &caller.scope(), &row.id)
        .found()?
        .into())
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    patch: AgendaItemPatch,
) -> AppResult<AgendaItem> {
    let before = store::meetings::find_item(conn, &caller.scope(), id).found()?;
    let meeting = editable_meeting(conn, &caller.scope(), &before.meeting_id)?;
    let mut row = before.clone();
    row.title = patch.title.unwrap_or(row.title);
    row.presenter = patch.presenter.unwrap_or(row.presenter);
    row.annex_label = patch.annex_label.unwrap_or(row.annex_label);
    check_item(&mut row)?;
    if row != before {
        row.updated_at = now.naive_utc();
        store::meetings::update_item(conn, &row)?;
    }
    if patch.position.is_some() {
        let ids = store::meetings::items(conn, &meeting.id)?
            .into_iter()
            .map(|i| i.id)
            .collect();
        renumber(conn, &placed(ids, id, patch.position))?;
    }
    record(conn, caller, now, &meeting, "update", id)?;
    Ok(store::meetings::find_item(conn, &caller.scope(), id)
        .found()?
        .into())
}

pub fn delete(conn: &mut DbConn, caller: &Caller, now: DateTime<Utc>, id: &str) -> AppResult<()> {
    let row = store::meetings::find_item(conn, &caller.scope(), id).found()?;
    let meeting = editable_meeting(conn, &caller.scope(), &row.meeting_id)?;
    store::meetings::delete_item(conn, id)?;
    let ids: Vec<String> = store::meetings::items(conn, &meeting.id)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    renumber(conn, &ids)?;
    record(conn, caller, now, &meeting, "delete", id)
}

/// Puts the items in the order given; the list must name each item once.
pub fn reorder(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    order: AgendaOrder,
) -> AppResult<Vec<AgendaItem>> {
    let meeting = editable_meeting(conn, &caller.scope(), meeting_id)?;
    let mut current: Vec<String> = store::meetings::items(conn, &meeting.id)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut given = order.ids.clone();
    current.sort();
    given.sort();
    if current != given {
        return Err(AppError::validation(
            "ids",
            "la liste doit contenir chaque point de l'ordre du jour, une fois",
        ));
    }
    renumber(conn, &order.ids)?;
    record(conn, caller, now, &meeting, "reorder", &meeting.id)?;
    list(conn, &caller.scope(), &meeting.id)
}

#[cfg(test)]
mod tests {
    use super::placed;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn placing_moves_an_item() {
        assert_eq!(
            placed(ids(&["a", "b", "c"]), "c", Some(1)),
            ids(&["c", "a", "b"])
        );
        assert_eq!(
            placed(ids(&["a", "b", "c"]), "a", None),
            ids(&["b", "c", "a"])
        );
        assert_eq!(
            placed(ids(&["a", "b", "c"]), "b", Some(99)),
            ids(&["a", "c", "b"])
        );
        assert_eq!(
            placed(ids(&["a", "b", "c"]), "b", Some(-3)),
            ids(&["b", "a", "c"])
        );
    }
}
