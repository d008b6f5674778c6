//! Sending the signed compte-rendu (PDF attached) to every committee member
//! with an e-mail, through the outbox.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::model::MinutesStatus;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::domain::meetings::notices::Notices;
use crate::domain::meetings::print;
use crate::error::{AppError, AppResult};
use crate::store::meetings::MeetingRow;
use crate::store::members::MemberRow;
use crate::store::{self, Scope};

#[derive(Debug, Serialize, ToSchema)]
pub struct Distributed {
    pub queued: usize,
    pub revision: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recipient {
    pub member_id: Option<String>,
    pub email: String,
    /// queued, sent or failed.
    pub status: String,
    pub sent_at: Option<DateTime<Utc>>,
}

pub fn distribute(
    conn: &mut DbConn,
    caller: &Caller,
    notices: &Notices,
    meeting_id: &str,
) -> AppResult<Distributed> {
    let meeting = store::meetings::find(conn, &caller.scope(), meeting_id).found()?;
    let minutes = store::minutes::latest(conn, &meeting.id)?
        .filter(|m| m.status == MinutesStatus::Signed.as_str())
        .ok_or_else(|| {
            AppError::Conflict("le compte-rendu n'est pas signé : rien à diffuser".into())
        })?;
    let pdf = store::minutes::document(conn, &minutes.id, "pdf")?
        .ok_or_else(|| AppError::internal("signed minutes without PDF"))?;
    let meeting_context = print::meeting_context(conn, &meeting)?;
    let mut queued = 0;
    for (member, organization, email) in addressees(conn, &meeting, notices.now)? {
        let member_context = print::member_context(&member, organization);
        notices.distribute(
            conn,
            &meeting,
            &meeting_context,
            &member,
            &member_context,
            &email,
            minutes.revision,
            &pdf.content,
        )?;
        queued += 1;
    }
    audit::record(
        conn,
        &caller.into(),
        notices.now,
        Event {
            structure_id: Some(&meeting.structure_id),
            action: "minutes.distribute",
            entity: "minutes",
            entity_id: &minutes.id,
            summary: json!({ "revision": minutes.revision, "queued": queued }),
        },
    )?;
    Ok(Distributed {
        queued,
        revision: minutes.revision,
    })
}

/// The committee's current members with an e-mail address, with their
/// organization's name: who the signed compte-rendu is sent to.
fn addressees(
    conn: &mut DbConn,
    meeting: &MeetingRow,
    now: DateTime<Utc>,
) -> AppResult<Vec<(MemberRow, Option<String>, String)>> {
    let today = crate::clock::paris_date(now);
    Ok(
        store::committees::memberships_of(conn, &meeting.committee_id)?
            .into_iter()
            .filter(|(seat, member, _)| {
                crate::domain::registry::memberships::is_current(seat, today)
                    && member.archived_at.is_none()
            })
            .filter_map(|(_, member, organization)| {
                let email = member.email.clone()?;
                Some((member, organization.map(|(name, _)| name), email))
            })
            .collect(),
    )
}

/// Who a distribution would reach now: (name, e-mail address).
pub fn audience(
    conn: &mut DbConn,
    scope: &Scope,
    meeting_id: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, String)>> {
    let meeting = store::meetings::find(conn, scope, meeting_id).found()?;
    Ok(addressees(conn, &meeting, now)?
        .into_iter()
        .map(|(member, _, email)| (print::display_name(&member), email))
        .collect())
}

pub fn recipients(conn: &mut DbConn, scope: &Scope, meeting_id: &str) -> AppResult<Vec<Recipient>> {
    store::meetings::find(conn, scope, meeting_id).found()?;
    Ok(store::outbox::of_meeting(conn, meeting_id, "distribution")?
        .into_iter()
        .map(|row| Recipient {
            status: match row.status.as_str() {
                "sent" => "sent",
                "failed" => "failed",
                _ => "queued",
            }
            .into(),
            member_id: row.member_id,
            email: row.recipient,
            sent_at: row.sent_at.map(|t| t.and_utc()),
        })
        .collect())
}
