//! Reminders to the invited who have not answered: on demand, and once
//! automatically some days before the meeting.

use chrono::Duration;
use serde_json::json;

use super::invitations::Queued;
use super::lifecycle::{self, MeetingStatus};
use super::notices::Notices;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Actor, Event};
use crate::error::{AppError, AppResult};
use crate::store;

pub fn remind(
    conn: &mut DbConn,
    caller: &Caller,
    notices: &Notices,
    meeting_id: &str,
) -> AppResult<Queued> {
    let meeting = store::meetings::find(conn, &caller.scope(), meeting_id).found()?;
    lifecycle::ensure_status(&meeting, &[MeetingStatus::Convened], "relancer les invités")?;
    if meeting.starts_at <= notices.now.naive_utc() {
        return Err(AppError::Conflict(
            "la réunion a déjà commencé : il est trop tard pour relancer".into(),
        ));
    }
    let queued = notices.remind(conn, &meeting, None)?;
    audit::record(
        conn,
        &caller.into(),
        notices.now,
        Event {
            structure_id: Some(&meeting.structure_id),
            action: "meeting.remind",
            entity: "meeting",
            entity_id: &meeting.id,
            summary: json!({ "queued": queued }),
        },
    )?;
    Ok(Queued { queued })
}

/// Queues the automatic reminder of every convened meeting starting
/// within `days_before` days whose reminder has not gone out; each meeting
/// gets it once, however many servers run this at the same time, and
/// nobody invited less than a day ago is reminded.
/// Returns the number of e-mails queued.
pub fn queue_automatic(conn: &mut DbConn, notices: &Notices, days_before: i64) -> AppResult<usize> {
    let now = notices.now.naive_utc();
    let mut queued = 0;
    for meeting in store::meetings::due_for_reminder(conn, now, now + Duration::days(days_before))?
    {
        // Once, whichever of several servers gets here first.
        if !store::meetings::claim_auto_reminder(conn, &meeting.id, now)? {
            continue;
        }
        let count = notices.remind(conn, &meeting, Some(now - Duration::days(1)))?;
        audit::record(
            conn,
            &Actor::system(),
            notices.now,
            Event {
                structure_id: Some(&meeting.structure_id),
                action: "meeting.remind",
                entity: "meeting",
                entity_id: &meeting.id,
                summary: json!({ "queued": count, "automatic": true }),
            },
        )?;
        queued += count;
    }
    Ok(queued)
}
