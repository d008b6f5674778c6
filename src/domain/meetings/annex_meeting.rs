//! What concerns all of a meeting's annexes at once: their order, and the
//! announcement to the invited that they changed.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::MeetingStatus;
use super::annexes::{Annex, AnnexOrder, ensure_changeable, of_meeting};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::error::{AppError, AppResult};
use crate::store;

/// Puts all of a meeting's annexes in the order given.
pub fn reorder(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    order: AnnexOrder,
) -> AppResult<Vec<Annex>> {
    let meeting = store::meetings::find(conn, &caller.scope(), meeting_id).found()?;
    ensure_changeable(&meeting)?;
    let rows = store::annexes::of_meeting(conn, &meeting.id)?;
    let mut wanted = order.ids.clone();
    wanted.sort();
    let mut present: Vec<String> = rows.iter().map(|(r, _, _)| r.id.clone()).collect();
    present.sort();
    if wanted != present {
        return Err(AppError::validation(
            "ids",
            "donnez chacune des annexes de la réunion, une fois",
        ));
    }
    for (row, _, _) in rows {
        let position = order.ids.iter().position(|id| *id == row.id).unwrap_or(0);
        let position = i32::try_from(position + 1).unwrap_or(i32::MAX);
        if row.position != position {
            let mut row = row;
            row.position = position;
            row.updated_at = now.naive_utc();
            store::annexes::update(conn, &row)?;
        }
    }
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&meeting.structure_id),
            action: "annex.reorder",
            entity: "meeting",
            entity_id: &meeting.id,
            summary: json!({ "ids": order.ids }),
        },
    )?;
    of_meeting(conn, &meeting.id)
}

/// Tells every invited member that the meeting's documents changed (files
/// added or replaced after the invitations went out): the update e-mail,
/// which lists them with their links. Returns how many are told.
pub fn announce(
    conn: &mut DbConn,
    caller: &Caller,
    notices: &super::notices::Notices,
    meeting_id: &str,
) -> AppResult<usize> {
    let meeting = store::meetings::find(conn, &caller.scope(), meeting_id).found()?;
    if MeetingStatus::from_stored(&meeting.status)? != MeetingStatus::Convened
        || meeting.starts_at <= notices.now.naive_utc()
    {
        return Err(AppError::Conflict(
            "seuls les invités d’une réunion convoquée et à venir peuvent être prévenus".into(),
        ));
    }
    let names: Vec<String> = of_meeting(conn, &meeting.id)?
        .into_iter()
        .map(|a| a.file_name)
        .collect();
    if names.is_empty() {
        return Err(AppError::Conflict(
            "la réunion n’a pas d’annexe à annoncer".into(),
        ));
    }
    let changes = vec![format!("Documents de la réunion : {}", names.join(", "))];
    let queued = notices.meeting_changed(conn, &meeting, &changes)?;
    audit::record(
        conn,
        &caller.into(),
        notices.now,
        Event {
            structure_id: Some(&meeting.structure_id),
            action: "annex.announce",
            entity: "meeting",
            entity_id: &meeting.id,
            summary: json!({ "queued": queued, "annexes": names.len() }),
        },
    )?;
    Ok(queued)
}
