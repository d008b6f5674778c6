//! Answering an invitation by its link, without an account. Opening the
//! link changes nothing (mail scanners open links); only a POST records an
//! answer, the same answer twice changes nothing, and answers close when
//! the meeting starts.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::attendance::{AttendanceMode, Response};
use super::lifecycle::{MeetingMode, MeetingStatus};
use super::notices::Notices;
use super::print::{self, MeetingContext, MemberContext};
use crate::auth::token::{LinkError, TokenKeys};
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Actor, Event};
use crate::error::{AppError, AppResult};
use crate::store::invitations::InvitationRow;
use crate::store::meetings::MeetingRow;
use crate::store::members::MemberRow;
use crate::store::{self, Scope};

/// Why a link cannot be used, for the person holding it.
#[derive(Debug)]
pub enum LinkRefusal {
    /// Forged, damaged, unknown or withdrawn: 400.
    Invalid,
    /// The meeting has started, taken place or been cancelled: 410.
    Closed(&'static str),
    /// The answer itself is wrong (422), or the server failed.
    Refused(AppError),
}

impl From<AppError> for LinkRefusal {
    fn from(err: AppError) -> Self {
        Self::Refused(err)
    }
}

impl crate::error::Contention for LinkRefusal {
    fn is_contention(&self) -> bool {
        matches!(self, Self::Refused(err) if err.is_contention())
    }
}

impl From<diesel::result::Error> for LinkRefusal {
    fn from(err: diesel::result::Error) -> Self {
        Self::Refused(err.into())
    }
}

pub const STARTED: &str =
    "La réunion a commencé : il n’est plus possible de répondre à cette invitation.";
const CANCELLED: &str = "Cette réunion a été annulée : il n’y a plus de réponse à donner.";
const OVER: &str = "Cette réunion a eu lieu : il n’est plus possible de répondre.";

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// accepted or declined.
    pub response: Response,
    /// in_person or remote, when accepting; required for a hybrid meeting.
    #[serde(default)]
    pub mode: Option<AttendanceMode>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerOutcome {
    pub response: Response,
    pub mode: Option<AttendanceMode>,
    pub responded_at: Option<chrono::DateTime<chrono::Utc>>,
    /// False when the answer was already recorded.
    pub changed: bool,
    /// True when a substitute was invited because of this answer.
    pub substitute_invited: bool,
}

#[derive(Debug, Serialize)]
pub struct InvitationText {
    pub response: String,
    pub mode: Option<String>,
    pub response_label: String,
}

/// What the answer page shows.
#[derive(Debug, Serialize)]
pub struct LinkPage {
    #[serde(flatten)]
    pub meeting: MeetingContext,
    pub member: MemberContext,
    pub invitation: InvitationText,
    pub action_url: String,
    pub notice: Option<String>,
    pub can_answer: bool,
    pub closed_reason: Option<String>,
}

pub fn response_label(invitation: &InvitationRow) -> &'static str {
    match (invitation.response.as_str(), invitation.mode.as_deref()) {
        ("accepted", Some("remote")) => "Vous avez accepté de participer à distance.",
        ("accepted", _) => "Vous avez accepté de participer en présentiel.",
        ("declined", _) => "Vous avez indiqué ne pas pouvoir participer.",
        _ => "Vous n’avez pas encore répondu.",
    }
}

/// The invitation a link is for, if the link is good and answers are open.
fn open(
    conn: &mut DbConn,
    keys: &TokenKeys,
    now: chrono::DateTime<chrono::Utc>,
    token: &str,
) -> Result<(MeetingRow, InvitationRow, MemberRow), LinkRefusal> {
    let claims = keys
        .verify_rsvp(token, now.timestamp())
        .map_err(|err| match err {
            LinkError::Invalid => LinkRefusal::Invalid,
            LinkError::Expired => LinkRefusal::Closed(STARTED),
        })?;
    let invitation = store::invitations::find_any(conn, &claims.sub)?
        .filter(|invitation| invitation.revoked_at.is_none())
        .ok_or(LinkRefusal::Invalid)?;
    let scope = Scope::Structure(invitation.structure_id.clone());
    let meeting = store::meetings::find(conn, &scope, &invitation.meeting_id).found()?;
    let (member, _) = store::members::find(conn, &scope, &invitation.member_id).found()?;
    ensure_open(&meeting, now)?;
    Ok((meeting, invitation, member))
}

/// Answers are taken until the meeting starts, unless it is cancelled.
pub fn ensure_open(
    meeting: &MeetingRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), LinkRefusal> {
    match MeetingStatus::from_stored(&meeting.status)? {
        MeetingStatus::Cancelled => return Err(LinkRefusal::Closed(CANCELLED)),
        MeetingStatus::Draft | MeetingStatus::Convened => {}
        _ => return Err(LinkRefusal::Closed(OVER)),
    }
    if meeting.starts_at <= now.naive_utc() {
        return Err(LinkRefusal::Closed(STARTED));
    }
    Ok(())
}

/// Whose link it is: (structure, meeting, member), while it is good.
pub fn holder(
    conn: &mut DbConn,
    keys: &TokenKeys,
    now: chrono::DateTime<chrono::Utc>,
    token: &str,
) -> Result<(String, String, String), LinkRefusal> {
    let (meeting, invitation, _) = open(conn, keys, now, token)?;
    Ok((meeting.structure_id, meeting.id, invitation.member_id))
}

/// An annex of the link's meeting, while the link is good (until the
/// meeting starts). Reads only.
pub fn annex(
    conn: &mut DbConn,
    keys: &TokenKeys,
    now: chrono::DateTime<chrono::Utc>,
    token: &str,
    annex_id: &str,
) -> Result<super::annexes::Annex, LinkRefusal> {
    let (meeting, _, _) = open(conn, keys, now, token)?;
    let annex = super::annexes::get(
        conn,
        &Scope::Structure(meeting.structure_id.clone()),
        annex_id,
    )?;
    if annex.meeting_id != meeting.id {
        return Err(AppError::NotFound.into());
    }
    Ok(annex)
}

/// The page a link opens. Reads only.
pub fn page(
    conn: &mut DbConn,
    notices: &Notices,
    token: &str,
    notice: Option<String>,
) -> Result<LinkPage, LinkRefusal> {
    let (meeting, invitation, member) = open(conn, notices.keys(), notices.now, token)?;
    page_of(conn, token, &meeting, &invitation, member, notice)
}

/// The page of an invitation already opened (and perhaps just answered).
fn page_of(
    conn: &mut DbConn,
    token: &str,
    meeting: &MeetingRow,
    invitation: &InvitationRow,
    member: MemberRow,
    notice: Option<String>,
) -> Result<LinkPage, LinkRefusal> {
    let organization = match &member.organization_id {
        Some(id) => Some(
            store::organizations::find(conn, &Scope::Structure(member.structure_id.clone()), id)
                .found()?
                .name,
        ),
        None => None,
    };
    Ok(LinkPage {
        meeting: print::meeting_context(conn, meeting)?,
        member: print::member_context(&member, organization),
        invitation: InvitationText {
            response_label: response_label(invitation).into(),
            response: invitation.response.clone(),
            mode: invitation.mode.clone(),
        },
        action_url: format!("/rsvp/{token}"),
        notice,
        can_answer: true,
        closed_reason: None,
    })
}

/// Records an answer given by the page's form and makes the page that
/// confirms it, in the same transaction: the link checked once, the rows
/// read once, the page showing what was written.
pub fn answer_with_page(
    conn: &mut DbConn,
    notices: &Notices,
    token: &str,
    given: Answer,
) -> Result<(AnswerOutcome, LinkPage), LinkRefusal> {
    let (meeting, mut invitation, member) = open(conn, notices.keys(), notices.now, token)?;
    let outcome = answer_opened(conn, notices, &meeting, &invitation, given)?;
    invitation.response = outcome.response.as_str().into();
    invitation.mode = outcome.mode.map(|m| m.as_str().into());
    let notice = Some(confirmation(&outcome));
    let page = page_of(conn, token, &meeting, &invitation, member, notice)?;
    Ok((outcome, page))
}

/// Records an answer given by link.
pub fn answer(
    conn: &mut DbConn,
    notices: &Notices,
    token: &str,
    answer: Answer,
) -> Result<AnswerOutcome, LinkRefusal> {
    let (meeting, before, _) = open(conn, notices.keys(), notices.now, token)?;
    answer_opened(conn, notices, &meeting, &before, answer)
}

/// Records an answer to an invitation whose link was checked.
fn answer_opened(
    conn: &mut DbConn,
    notices: &Notices,
    meeting: &MeetingRow,
    before: &InvitationRow,
    answer: Answer,
) -> Result<AnswerOutcome, LinkRefusal> {
    let mode = match (answer.response, answer.mode) {
        (Response::Pending, _) => {
            return Err(
                AppError::validation("response", "répondez « accepted » ou « declined »").into(),
            );
        }
        (Response::Declined, _) => None,
        (Response::Accepted, Some(mode)) => Some(mode),
        (Response::Accepted, None) => match MeetingMode::from_stored(&meeting.mode)? {
            MeetingMode::InPerson => Some(AttendanceMode::InPerson),
            MeetingMode::Remote => Some(AttendanceMode::Remote),
            MeetingMode::Hybrid => {
                return Err(AppError::validation(
                    "mode",
                    "précisez si vous participerez en présentiel ou à distance",
                )
                .into());
            }
        },
    };
    record(
        conn,
        notices,
        meeting,
        before,
        Given {
            response: answer.response,
            mode,
            note: None,
            via: "link",
        },
    )
    .map_err(Into::into)
}

/// An answer as it arrived: by the member's link or from their calendar.
pub struct Given {
    pub response: Response,
    pub mode: Option<AttendanceMode>,
    /// What it said beyond yes or no (a calendar's "peut-être").
    pub note: Option<String>,
    /// link or calendar: kept on the invitation and in the audit event.
    pub via: &'static str,
}

/// Records an answer to an open invitation, however it came: the same
/// answer twice changes nothing; a decline invites the substitute.
pub fn record(
    conn: &mut DbConn,
    notices: &Notices,
    meeting: &MeetingRow,
    before: &InvitationRow,
    given: Given,
) -> AppResult<AnswerOutcome> {
    let mut row = before.clone();
    row.response = given.response.as_str().into();
    row.mode = given.mode.map(|m| m.as_str().into());
    row.response_note = given.note;
    let changed = (
        row.response.as_str(),
        row.mode.as_deref(),
        row.response_note.as_deref(),
    ) != (
        before.response.as_str(),
        before.mode.as_deref(),
        before.response_note.as_deref(),
    );
    let mut substitute_invited = false;
    if changed {
        row.responded_at = Some(notices.now.naive_utc());
        row.updated_at = notices.now.naive_utc();
        row.answered_via = Some(given.via.into());
        store::invitations::update(conn, &row)?;
        audit::record(
            conn,
            &Actor::system(),
            notices.now,
            Event {
                structure_id: Some(&row.structure_id),
                action: "invitation.answer",
                entity: "invitation",
                entity_id: &row.id,
                summary: json!({ "meeting_id": row.meeting_id, "response": row.response, "mode": row.mode, "via": given.via }),
            },
        )?;
        if given.response == Response::Declined {
            substitute_invited =
                super::invitations::invite_substitute(conn, notices, meeting, &row)?;
        }
    }
    Ok(AnswerOutcome {
        response: given.response,
        mode: given.mode,
        responded_at: row.responded_at.map(|t| t.and_utc()),
        changed,
        substitute_invited,
    })
}

/// The answer page's text once an answer is recorded.
pub fn confirmation(outcome: &AnswerOutcome) -> String {
    let base = match (outcome.response, outcome.mode) {
        (Response::Accepted, Some(AttendanceMode::Remote)) => {
            "Votre participation à distance est enregistrée. Merci !"
        }
        (Response::Accepted, _) => "Votre participation en présentiel est enregistrée. Merci !",
        _ => "Votre absence est enregistrée. Merci de nous avoir prévenus.",
    };
    if outcome.changed {
        base.to_owned()
    } else {
        format!("{base} (Cette réponse était déjà enregistrée.)")
    }
}

/// For the answer page: a 422's first message, shown above the form.
pub fn refusal_notice(err: &AppError) -> Option<String> {
    match err {
        AppError::Validation(errors) => errors.first().map(|e| e.message.clone()),
        _ => None,
    }
}
