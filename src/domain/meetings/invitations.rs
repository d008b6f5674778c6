//! Inviting members to a meeting: one invitation per member, written with
//! its e-mail in the transaction that convenes the meeting; inviting again
//! only adds those not yet invited. Substitutes are invited when their
//! titular declines.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::lifecycle::{self, MeetingStatus};
use super::notices::Notices;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Actor, Event};
use crate::error::{AppError, AppResult};
use crate::store::invitations::InvitationRow;
use crate::store::meetings::MeetingRow;
use crate::store::members::MemberRow;
use crate::store::{self, Scope};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Only these members; by default the committee's current members
    /// (substitutes excepted) who have an e-mail address.
    #[serde(default)]
    pub member_ids: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Queued {
    /// E-mails queued by this call.
    pub queued: usize,
}

/// An invitation and where its e-mail stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationStatus {
    pub id: String,
    pub member_id: String,
    pub email: Option<String>,
    /// queued, sent, failed (given up after the last attempt) or
    /// undelivered (returned by the recipient's server, `last_error` says
    /// why); being sent counts as queued.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl InvitationStatus {
    /// Given up or returned: the secrétariat has to act (fix the address
    /// and send again, or post the letter).
    pub fn needs_action(&self) -> bool {
        matches!(self.status.as_str(), "failed" | "undelivered")
    }
}

fn new_invitation(meeting: &MeetingRow, member: &MemberRow, now: NaiveDateTime) -> InvitationRow {
    InvitationRow {
        id: store::new_id(),
        structure_id: meeting.structure_id.clone(),
        meeting_id: meeting.id.clone(),
        member_id: member.id.clone(),
        email: member.email.clone(),
        response: "pending".into(),
        mode: None,
        presence: "unknown".into(),
        responded_at: None,
        revoked_at: None,
        created_at: now,
        updated_at: now,
        answered_via: None,
        response_note: None,
    }
}

/// Who is convened by default: a current titular (or a member without a
/// pair), not archived. Substitutes are invited when their titular declines.
fn seats_by_default(
    seat: &crate::store::committees::MembershipRow,
    member: &MemberRow,
    today: chrono::NaiveDate,
) -> bool {
    seat.substitute_for.is_none()
        && crate::domain::registry::memberships::is_current(seat, today)
        && member.archived_at.is_none()
}

/// Who inviting the committee would reach, before it is done: by e-mail,
/// by the printed letter (no address), and the substitutes kept in reserve.
#[derive(Debug, Default)]
pub struct Planned {
    /// Not invited yet, with an address: they get the e-mail.
    pub by_email: Vec<MemberRow>,
    /// No address: the printed convocation letter.
    pub by_letter: Vec<MemberRow>,
    /// Already invited.
    pub already: usize,
    /// Current substitutes, invited if their titular declines.
    pub substitutes: Vec<MemberRow>,
}

pub fn planned(
    conn: &mut DbConn,
    scope: &Scope,
    meeting_id: &str,
    today: chrono::NaiveDate,
) -> AppResult<Planned> {
    let meeting = store::meetings::find(conn, scope, meeting_id).found()?;
    let invited = store::invitations::invited_member_ids(conn, &meeting.id)?;
    let mut planned = Planned::default();
    for (seat, member, _) in store::committees::memberships_of(conn, &meeting.committee_id)? {
        if seats_by_default(&seat, &member, today) {
            if member.email.is_none() {
                planned.by_letter.push(member);
            } else if invited.contains(&member.id) {
                planned.already += 1;
            } else {
                planned.by_email.push(member);
            }
        } else if seat.substitute_for.is_some()
            && crate::domain::registry::memberships::is_current(&seat, today)
            && member.archived_at.is_none()
        {
            planned.substitutes.push(member);
        }
    }
    Ok(planned)
}

/// The members to invite: those listed, or the committee's current
/// members (titulars and members without a pair; not substitutes).
fn targets(
    conn: &mut DbConn,
    meeting: &MeetingRow,
    listed: Option<Vec<String>>,
    today: chrono::NaiveDate,
) -> AppResult<Vec<MemberRow>> {
    let scope = Scope::Structure(meeting.structure_id.clone());
    match listed {
        Some(ids) => {
            let mut members = Vec::with_capacity(ids.len());
            let mut errors = Vec::new();
            for (index, id) in ids.iter().enumerate() {
                match store::members::find(conn, &scope, id)? {
                    Some((member, _)) if member.email.is_some() && member.archived_at.is_none() => {
                        members.push(member)
                    }
                    Some(_) => errors.push(crate::error::FieldError::new(
                        format!("member_ids[{index}]"),
                        "ce membre n'a pas d'adresse e-mail (utilisez la lettre de convocation)",
                    )),
                    None => errors.push(crate::error::FieldError::new(
                        format!("member_ids[{index}]"),
                        "membre inconnu",
                    )),
                }
            }
            if errors.is_empty() {
                Ok(members)
            } else {
                Err(AppError::Validation(errors))
            }
        }
        None => Ok(
            store::committees::memberships_of(conn, &meeting.committee_id)?
                .into_iter()
                .filter(|(seat, member, _)| {
                    seats_by_default(seat, member, today) && member.email.is_some()
                })
                .map(|(_, member, _)| member)
                .collect(),
        ),
    }
}

/// Invites members; the meeting becomes (or stays) convened.
pub fn invite(
    conn: &mut DbConn,
    caller: &Caller,
    notices: &Notices,
    meeting_id: &str,
    request: InviteRequest,
) -> AppResult<Queued> {
    let mut meeting = store::meetings::find(conn, &caller.scope(), meeting_id).found()?;
    let status = lifecycle::ensure_status(
        &meeting,
        &[MeetingStatus::Draft, MeetingStatus::Convened],
        "inviter",
    )?;
    if meeting.starts_at <= notices.now.naive_utc() {
        return Err(AppError::Conflict(
            "la réunion a déjà commencé : il est trop tard pour inviter".into(),
        ));
    }
    let today = crate::clock::paris_date(notices.now);
    let already = store::invitations::invited_member_ids(conn, &meeting.id)?;
    let mut queued = 0;
    for member in targets(conn, &meeting, request.member_ids, today)? {
        if already.contains(&member.id) {
            continue;
        }
        let invitation = new_invitation(&meeting, &member, notices.now.naive_utc());
        store::invitations::insert(conn, &invitation)?;
        notices.invite(conn, &meeting, &invitation, &member)?;
        queued += 1;
    }
    if status == MeetingStatus::Draft {
        meeting.status = MeetingStatus::Convened.as_str().into();
        meeting.updated_at = notices.now.naive_utc();
        store::meetings::update(conn, &meeting)?;
    }
    audit::record(
        conn,
        &caller.into(),
        notices.now,
        Event {
            structure_id: Some(&meeting.structure_id),
            action: "meeting.invite",
            entity: "meeting",
            entity_id: &meeting.id,
            summary: json!({ "queued": queued, "status": meeting.status }),
        },
    )?;
    Ok(Queued { queued })
}

/// When a titular declines, their substitute (if any, current, with an
/// e-mail, not yet invited) is invited at once. Returns whether one was.
pub fn invite_substitute(
    conn: &mut DbConn,
    notices: &Notices,
    meeting: &MeetingRow,
    titular: &InvitationRow,
) -> AppResult<bool> {
    let today = crate::clock::paris_date(notices.now);
    let seats = store::committees::memberships_of(conn, &meeting.committee_id)?;
    let Some(titular_seat) = seats
        .iter()
        .find(|(seat, _, _)| {
            seat.member_id == titular.member_id
                && crate::domain::registry::memberships::is_current(seat, today)
        })
        .map(|(seat, _, _)| seat.id.clone())
    else {
        return Ok(false);
    };
    let Some((_, substitute, _)) = seats.into_iter().find(|(seat, member, _)| {
        seat.substitute_for.as_deref() == Some(titular_seat.as_str())
            && crate::domain::registry::memberships::is_current(seat, today)
            && member.email.is_some()
            && member.archived_at.is_none()
    }) else {
        return Ok(false);
    };
    if store::invitations::find_for_member(conn, &meeting.id, &substitute.id)?.is_some() {
        return Ok(false);
    }
    let invitation = new_invitation(meeting, &substitute, notices.now.naive_utc());
    store::invitations::insert(conn, &invitation)?;
    notices.invite(conn, meeting, &invitation, &substitute)?;
    audit::record(
        conn,
        &Actor::system(),
        notices.now,
        Event {
            structure_id: Some(&meeting.structure_id),
            action: "invitation.substitute",
            entity: "invitation",
            entity_id: &invitation.id,
            summary: json!({ "meeting_id": meeting.id, "replaces_invitation": titular.id }),
        },
    )?;
    Ok(true)
}

/// Each invitation of the meeting and the state of its e-mail.
pub fn statuses(
    conn: &mut DbConn,
    scope: &Scope,
    meeting_id: &str,
) -> AppResult<Vec<InvitationStatus>> {
    store::meetings::find(conn, scope, meeting_id).found()?;
    let invitations: Vec<InvitationRow> = store::invitations::of_meeting(conn, meeting_id)?
        .into_iter()
        .map(|(invitation, _)| invitation)
        .filter(|invitation| invitation.email.is_some())
        .collect();
    let ids: Vec<String> = invitations.iter().map(|i| i.id.clone()).collect();
    let messages = store::outbox::of_invitations(conn, &ids, "invitation")?;
    Ok(invitations
        .into_iter()
        .map(|invitation| {
            let message = messages
                .iter()
                .rev()
                .find(|m| m.invitation_id.as_deref() == Some(invitation.id.as_str()));
            InvitationStatus {
                status: match message.map(|m| (m.status.as_str(), m.sent_at.is_some())) {
                    Some(("sent", _)) => "sent",
                    // Failed after it left: a delivery report came back.
                    Some(("failed", true)) => "undelivered",
                    Some(("failed", false)) => "failed",
                    _ => "queued",
                }
                .into(),
                attempts: message.map_or(0, |m| m.attempts),
                last_error: message.and_then(|m| m.last_error.clone()),
                sent_at: message.and_then(|m| m.sent_at).map(|t| t.and_utc()),
                id: invitation.id,
                member_id: invitation.member_id,
                email: invitation.email,
            }
        })
        .collect())
}

/// Sends a failed or undelivered invitation again, to the member's address as it is now
/// (the secrétariat has often just corrected it), while the meeting is
/// still to come. Returns the address it goes to.
pub fn resend(
    conn: &mut DbConn,
    caller: &Caller,
    now: chrono::DateTime<chrono::Utc>,
    invitation_id: &str,
) -> AppResult<String> {
    let mut invitation = store::invitations::find_any(conn, invitation_id)?
        .filter(|i| caller.scope().includes(Some(&i.structure_id)))
        .ok_or(AppError::NotFound)?;
    let meeting = store::meetings::find(conn, &caller.scope(), &invitation.meeting_id).found()?;
    lifecycle::ensure_status(
        &meeting,
        &[MeetingStatus::Convened],
        "renvoyer l'invitation",
    )?;
    if meeting.starts_at <= now.naive_utc() {
        return Err(AppError::Conflict(
            "la réunion a déjà commencé : il est trop tard pour renvoyer l'invitation".into(),
        ));
    }
    let scope = Scope::Structure(meeting.structure_id.clone());
    let (member, _) = store::members::find(conn, &scope, &invitation.member_id).found()?;
    let Some(email) = member.email.filter(|_| member.archived_at.is_none()) else {
        return Err(AppError::Conflict(
            "ce membre n'a plus d'adresse e-mail : utilisez la lettre de convocation".into(),
        ));
    };
    let failed = store::outbox::of_invitations(conn, &[invitation.id.clone()], "invitation")?
        .into_iter()
        .next_back()
        .filter(|m| m.status == "failed")
        .ok_or_else(|| {
            AppError::Conflict(
                "cette invitation n'est ni en échec ni revenue non distribuée".into(),
            )
        })?;
    store::outbox::requeue_failed(conn, &failed.id, &email, now.naive_utc())?;
    if invitation.email.as_deref() != Some(email.as_str()) {
        invitation.email = Some(email.clone());
        invitation.updated_at = now.naive_utc();
        store::invitations::update(conn, &invitation)?;
    }
    audit::record(
        conn,
        &Actor::from(caller),
        now,
        Event {
            structure_id: Some(&meeting.structure_id),
            action: "invitation.resent",
            entity: "invitation",
            entity_id: &invitation.id,
            // Not the error itself: an SMTP answer may quote the address.
            summary: json!({ "meeting_id": meeting.id, "address_changed": failed.recipient != email }),
        },
    )?;
    Ok(email)
}
