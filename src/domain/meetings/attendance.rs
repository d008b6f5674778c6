//! Who answered what, and who was there: one row per invited member, with
//! the answer (pending, accepted, declined), the mode, and the roll call on
//! the day (present, excused, absent).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::lifecycle::{self, MeetingStatus};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::error::{AppError, AppResult};
use crate::store::invitations::InvitationRow;
use crate::store::{self, Scope};
use crate::text_enum;

text_enum! {
    pub enum Response {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
    }
}

text_enum! {
    pub enum AttendanceMode {
        InPerson = "in_person",
        Remote = "remote",
    }
}

text_enum! {
    pub enum Presence {
        Unknown = "unknown",
        Present = "present",
        Excused = "excused",
        Absent = "absent",
    }
}

impl Response {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "en attente",
            Self::Accepted => "accepte",
            Self::Declined => "décline",
        }
    }
}

impl AttendanceMode {
    pub fn label(self) -> &'static str {
        match self {
            Self::InPerson => "sur place",
            Self::Remote => "à distance",
        }
    }
}

impl Presence {
    pub fn label(self) -> &'static str {
        match self {
            Self::Unknown => "non renseigné",
            Self::Present => "présent",
            Self::Excused => "excusé",
            Self::Absent => "absent",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceEntry {
    pub member_id: String,
    pub invitation_id: String,
    pub civility: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub response: Response,
    pub mode: Option<AttendanceMode>,
    pub presence: Presence,
    pub responded_at: Option<DateTime<Utc>>,
    /// How the answer arrived: link, calendar (the invitation's
    /// Accepter / Refuser buttons) or staff.
    pub answered_via: Option<String>,
    /// What the answer said beyond yes or no (a calendar's "peut-être").
    pub response_note: Option<String>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct AttendanceCounts {
    pub pending: usize,
    pub accepted: usize,
    pub declined: usize,
    pub in_person: usize,
    pub remote: usize,
    pub unknown: usize,
    pub present: usize,
    pub excused: usize,
    pub absent: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Attendance {
    pub items: Vec<AttendanceEntry>,
    pub total: i64,
    pub counts: AttendanceCounts,
}

/// The roll call: absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceUpdate {
    pub response: Option<Response>,
    #[serde(default, deserialize_with = "crate::domain::validate::nullable")]
    #[schema(value_type = Option<AttendanceMode>)]
    pub mode: Option<Option<AttendanceMode>>,
    pub presence: Option<Presence>,
}

pub fn list(conn: &mut DbConn, scope: &Scope, meeting_id: &str) -> AppResult<Attendance> {
    store::meetings::find(conn, scope, meeting_id).found()?;
    let mut counts = AttendanceCounts::default();
    let mut items = Vec::new();
    for (invitation, member) in store::invitations::of_meeting(conn, meeting_id)? {
        let response = Response::from_stored(&invitation.response)?;
        let mode = invitation
            .mode
            .as_deref()
            .map(AttendanceMode::from_stored)
            .transpose()?;
        let presence = Presence::from_stored(&invitation.presence)?;
        *match response {
            Response::Pending => &mut counts.pending,
            Response::Accepted => &mut counts.accepted,
            Response::Declined => &mut counts.declined,
        } += 1;
        match (response, mode) {
            (Response::Accepted, Some(AttendanceMode::InPerson)) => counts.in_person += 1,
            (Response::Accepted, Some(AttendanceMode::Remote)) => counts.remote += 1,
            _ => {}
        }
        *match presence {
            Presence::Unknown => &mut counts.unknown,
            Presence::Present => &mut counts.present,
            Presence::Excused => &mut counts.excused,
            Presence::Absent => &mut counts.absent,
        } += 1;
        items.push(AttendanceEntry {
            member_id: member.id,
            invitation_id: invitation.id,
            civility: member.civility,
            first_name: member.first_name,
            last_name: member.last_name,
            response,
            mode,
            presence,
            responded_at: invitation.responded_at.map(|t| t.and_utc()),
            answered_via: invitation.answered_via,
            response_note: invitation.response_note,
        });
    }
    Ok(Attendance {
        total: items.len() as i64,
        items,
        counts,
    })
}

/// When the roll call may be recorded: until the minutes are submitted.
pub const ROLL_CALL: &[MeetingStatus] = &[
    MeetingStatus::Convened,
    MeetingStatus::Held,
    MeetingStatus::MinutesDraft,
    MeetingStatus::Draft,
];

/// Records the roll call for one member; a member present without having
/// been invited by e-mail gets an attendance row of their own.
pub fn record(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    meeting_id: &str,
    member_id: &str,
    update: AttendanceUpdate,
) -> AppResult<AttendanceEntry> {
    let meeting = store::meetings::find(conn, &caller.scope(), meeting_id).found()?;
    lifecycle::ensure_status(&meeting, ROLL_CALL, "modifier les présences")?;
    let scope = Scope::Structure(meeting.structure_id.clone());
    let (member, _) = store::members::find(conn, &scope, member_id).found()?;
    let existing = store::invitations::find_for_member(conn, &meeting.id, &member.id)?;
    let before = existing.clone();
    let mut row = existing.unwrap_or_else(|| InvitationRow {
        id: store::new_id(),
        structure_id: meeting.structure_id.clone(),
        meeting_id: meeting.id.clone(),
        member_id: member.id.clone(),
        email: None,
        response: Response::Pending.as_str().into(),
        mode: None,
        presence: Presence::Unknown.as_str().into(),
        responded_at: None,
        revoked_at: None,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
        answered_via: None,
        response_note: None,
    });
    if let Some(response) = update.response {
        if response.as_str() != row.response {
            row.responded_at = Some(now.naive_utc());
            row.answered_via = Some("staff".into());
            row.response_note = None;
        }
        row.response = response.as_str().into();
        if response != Response::Accepted {
            row.mode = None;
        }
    }
    if let Some(mode) = update.mode {
        if mode.is_some() && row.response != Response::Accepted.as_str() {
            return Err(AppError::validation(
                "mode",
                "la modalité ne vaut que pour une réponse « accepted »",
            ));
        }
        row.mode = mode.map(|m| m.as_str().into());
    }
    if let Some(presence) = update.presence {
        row.presence = presence.as_str().into();
    }
    if before.as_ref() != Some(&row) {
        row.updated_at = now.naive_utc();
        if before.is_some() {
            store::invitations::update(conn, &row)?;
        } else {
            store::invitations::insert(conn, &row)?;
        }
        audit::record(
            conn,
            &caller.into(),
            now,
            Event {
                structure_id: Some(&meeting.structure_id),
                action: "attendance.update",
                entity: "invitation",
                entity_id: &row.id,
                summary: json!({ "meeting_id": meeting.id, "response": row.response, "mode": row.mode, "presence": row.presence }),
            },
        )?;
    }
    Ok(AttendanceEntry {
        response: Response::from_stored(&row.response)?,
        mode: row
            .mode
            .as_deref()
            .map(AttendanceMode::from_stored)
            .transpose()?,
        presence: Presence::from_stored(&row.presence)?,
        responded_at: row.responded_at.map(|t| t.and_utc()),
        answered_via: row.answered_via,
        response_note: row.response_note,
        member_id: member.id,
        invitation_id: row.id,
        civility: member.civility,
        first_name: member.first_name,
        last_name: member.last_name,
    })
}
