//! A calendar's answer (iTIP REPLY): the attendee clicked "Accepter" or
//! "Refuser" above the invitation. Recorded as an answer by link would be,
//! marked as coming from the calendar; anything doubtful is ignored and
//! logged: a UID that is no meeting's, an attendee not invited or not the
//! sender, an answer to an older version of the invitation, an answer
//! after the meeting started.

use super::{Effect, Kind};
use crate::db::DbConn;
use crate::domain::meetings::attendance::{AttendanceMode, Response};
use crate::domain::meetings::notices::Notices;
use crate::domain::meetings::rsvp::{self, Given, LinkRefusal};
use crate::domain::meetings::status::MeetingMode;
use crate::error::AppResult;
use crate::mail::inbound::{CalendarReply, Incoming};
use crate::store::{self, Scope};

fn ignored(effect: Effect, why: &str) -> Effect {
    tracing::warn!(reason = why, "calendar answer ignored");
    Effect {
        outcome: format!("Réponse du calendrier ignorée : {why}."),
        ..effect
    }
}

pub(super) fn handle(
    conn: &mut DbConn,
    notices: &Notices,
    incoming: &Incoming,
    answer: &CalendarReply,
) -> AppResult<Effect> {
    let mut effect = Effect::nothing(Kind::CalendarReply, "");
    // The UID clu writes is "{meeting id}@{mail domain}".
    let meeting_id = answer.uid.rsplit_once('@').map_or("", |(id, _)| id);
    let Some(meeting) = store::meetings::find(conn, &Scope::All, meeting_id)? else {
        return Ok(ignored(effect, "identifiant d’événement inconnu"));
    };
    effect.structure_id = Some(meeting.structure_id.clone());
    effect.meeting_id = Some(meeting.id.clone());
    let invitation = store::invitations::find_by_email(conn, &meeting.id, &answer.attendee)?
        .filter(|invitation| invitation.revoked_at.is_none());
    let Some(invitation) = invitation else {
        return Ok(ignored(effect, "participant non invité à cette réunion"));
    };
    effect.invitation_id = Some(invitation.id.clone());
    if incoming.from.as_deref() != Some(answer.attendee.as_str()) {
        return Ok(ignored(effect, "l’expéditeur n’est pas le participant"));
    }
    if answer.sequence < meeting.sequence {
        return Ok(ignored(
            effect,
            "réponse à une version antérieure de l’invitation",
        ));
    }
    match rsvp::ensure_open(&meeting, notices.now) {
        Ok(()) => {}
        Err(LinkRefusal::Closed(why)) => {
            return Ok(ignored(effect, why.trim_end_matches('.')));
        }
        Err(LinkRefusal::Refused(err)) => return Err(err),
        Err(LinkRefusal::Invalid) => return Ok(ignored(effect, "invitation invalide")),
    }
    let comment = answer
        .comment
        .as_deref()
        .map(|c| format!("Commentaire : « {c} »"));
    let (response, mode, note) = match answer.partstat.as_str() {
        "ACCEPTED" => {
            let mode = match MeetingMode::from_stored(&meeting.mode)? {
                MeetingMode::InPerson => Some(AttendanceMode::InPerson),
                MeetingMode::Remote => Some(AttendanceMode::Remote),
                // The calendar cannot say which: the secrétariat will ask.
                MeetingMode::Hybrid => None,
            };
            let note = match (mode, comment) {
                (None, Some(comment)) => Some(format!("Modalité à préciser. {comment}")),
                (None, None) => Some("Modalité à préciser.".to_owned()),
                (Some(_), comment) => comment,
            };
            (Response::Accepted, mode, note)
        }
        "DECLINED" => (Response::Declined, None, comment),
        "TENTATIVE" => {
            let note = "A répondu « peut-être » depuis son agenda.".to_owned();
            let note = match comment {
                Some(comment) => format!("{note} {comment}"),
                None => note,
            };
            (Response::Pending, None, Some(note))
        }
        _ => {
            return Ok(ignored(
                effect,
                "réponse sans effet (ni acceptée, ni refusée)",
            ));
        }
    };
    let outcome = rsvp::record(
        conn,
        notices,
        &meeting,
        &invitation,
        Given {
            response,
            mode,
            note,
            via: "calendar",
        },
    )?;
    effect.outcome = match (outcome.changed, outcome.substitute_invited) {
        (false, _) => "Réponse du calendrier déjà enregistrée.".to_owned(),
        (true, true) => format!(
            "Réponse du calendrier enregistrée : {} ; le suppléant est invité.",
            response.label()
        ),
        (true, false) => format!("Réponse du calendrier enregistrée : {}.", response.label()),
    };
    Ok(effect)
}
