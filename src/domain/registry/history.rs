//! What a member's page shows beside their identity: the committees they
//! sit (or sat) on, and the meetings they were invited to, with their
//! answer and attendance.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::members::{self, Member};
use crate::db::DbConn;
use crate::domain::meetings::MeetingStatus;
use crate::domain::meetings::attendance::{AttendanceMode, Presence, Response};
use crate::domain::registry::memberships::MembershipRole;
use crate::error::AppResult;
use crate::store::{self, Scope};

pub struct Seat {
    pub committee_id: String,
    pub committee_name: String,
    pub role: MembershipRole,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

pub struct Invited {
    pub meeting_id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub status: MeetingStatus,
    pub response: Response,
    pub mode: Option<AttendanceMode>,
    pub presence: Presence,
}

pub struct MemberHistory {
    pub member: Member,
    pub seats: Vec<Seat>,
    /// The latest meeting first.
    pub meetings: Vec<Invited>,
}

/// The member `id` of `scope` (404 otherwise), with their seats and meetings.
pub fn of_member(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<MemberHistory> {
    let member = members::get(conn, scope, id)?;
    let seats = store::committees::memberships_of_member(conn, id)?
        .into_iter()
        .map(|(row, committee_name)| {
            Ok(Seat {
                role: MembershipRole::from_stored(&row.role)?,
                committee_id: row.committee_id,
                committee_name,
                since: row.since,
                until: row.until,
            })
        })
        .collect::<AppResult<_>>()?;
    let meetings = store::invitations::of_member_with_meetings(conn, scope, id)?
        .into_iter()
        .map(|(row, title, starts_at, status)| {
            Ok(Invited {
                meeting_id: row.meeting_id,
                title,
                starts_at: starts_at.and_utc(),
                status: MeetingStatus::from_stored(&status)?,
                response: Response::from_stored(&row.response)?,
                mode: row
                    .mode
                    .as_deref()
                    .map(AttendanceMode::from_stored)
                    .transpose()?,
                presence: Presence::from_stored(&row.presence)?,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(MemberHistory {
        member,
        seats,
        meetings,
    })
}

/// How many committees each member of a list sits (or sat) on, by id (the
/// members' list; members of `scope` only, as `members::list` gave them).
pub fn committee_counts(conn: &mut DbConn, members: &[Member]) -> AppResult<HashMap<String, i64>> {
    let ids: Vec<String> = members.iter().map(|m| m.id.clone()).collect();
    let mut seats = store::committees::seats_of_members(conn, &ids)?;
    // A member may have sat twice on one committee: count it once.
    seats.sort();
    seats.dedup();
    let mut counts = HashMap::new();
    for (member_id, _) in seats {
        *counts.entry(member_id).or_insert(0) += 1;
    }
    Ok(counts)
}
