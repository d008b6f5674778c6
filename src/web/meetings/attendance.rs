//! "Présences": the answers as they come (accepted on site or remotely,
//! declined, pending; who stands in for whom) and, on the day, the roll
//! call — one form for the whole list, each row saving by itself with
//! htmx — then "marquer la réunion comme tenue".

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::context::{meeting, sub_layout};
use crate::auth::caller::need;
use crate::domain::meetings::attendance::{self, AttendanceUpdate, Presence, Response};
use crate::domain::meetings::invitations;
use crate::domain::meetings::{self, MeetingStatus};
use crate::domain::registry::memberships;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::layout::{self, Layout};
use crate::web::paths::meeting_href;
use crate::web::session::{Staff, StaffCan};

/// The roll call's field of a member: `presence-{member id}`.
const FIELD: &str = "presence-";

/// One person of the list.
pub struct Row {
    pub member_id: String,
    pub name: String,
    pub answer: String,
    pub answer_badge: &'static str,
    /// "Suppléant de M. Jean DUPONT".
    pub stands_in: String,
    /// "Réponse depuis son agenda", and what the answer said beyond yes
    /// or no ("A répondu « peut-être »…").
    pub via: String,
    pub note: String,
    /// The invitation e-mail did not arrive: why.
    pub undelivered: String,
    pub presence: &'static str,
    /// (value, label) of the roll call's choices.
    pub choices: Vec<(&'static str, &'static str)>,
    pub action: String,
    pub editable: bool,
    /// After an inline save: "Enregistré à 14h32".
    pub saved: String,
}

impl Row {
    /// Whether the recorded presence is `value`.
    pub fn is(&self, value: &str) -> bool {
        self.presence == value
    }
}

#[derive(Template)]
#[template(path = "web/meetings/attendance.html")]
struct AttendancePage {
    layout: Layout,
    href: String,
    rows: Vec<Row>,
    accepted: usize,
    in_person: usize,
    remote: usize,
    declined: usize,
    pending: usize,
    present: usize,
    excused: usize,
    absent: usize,
    /// The roll call may be filled in (and saved).
    editable: bool,
    /// Convened: "marquer comme tenue" is offered.
    can_hold: bool,
}

#[derive(Template)]
#[template(path = "web/meetings/attendance_row.html")]
struct RowFragment {
    row: Row,
}

fn choices() -> Vec<(&'static str, &'static str)> {
    [Presence::Present, Presence::Excused, Presence::Absent]
        .iter()
        .map(|p| (p.as_str(), p.label()))
        .collect()
}

/// Everyone to call: the invited (by e-mail or not), then the committee's
/// current members who were not (the letter's addressees), each with who
/// they stand in for.
async fn rows(
    state: &AppState,
    staff: &Staff,
    meeting_id: &str,
    committee_id: &str,
    editable: bool,
) -> WebResult<(Vec<Row>, attendance::AttendanceCounts)> {
    let (scope, mid, cid, today) = (
        staff.caller.scope(),
        meeting_id.to_owned(),
        committee_id.to_owned(),
        state.clock.today(),
    );
    let (list, seats, deliveries) = state
        .db
        .read(move |conn| {
            Ok((
                attendance::list(conn, &scope, &mid)?,
                memberships::memberships(conn, &scope, &cid, today, false)?,
                invitations::statuses(conn, &scope, &mid)?,
            ))
        })
        .await?;
    let undelivered = |invitation_id: &str| {
        deliveries
            .iter()
            .find(|d| d.id == invitation_id && d.needs_action())
            // The reason without the receiving server's own words (the
            // invitations page has them).
            .map(
                |d| match d.last_error.as_deref().and_then(|r| r.split(" : ").next()) {
                    Some(reason) => format!("Invitation non distribuée : {reason}."),
                    None => "Invitation non distribuée.".to_owned(),
                },
            )
            .unwrap_or_default()
    };
    let name_of_seat = |seat_id: &str| {
        seats
            .iter()
            .find(|m| m.id == seat_id)
            .and_then(|m| m.member.as_ref())
            .map(|s| format!("{} {}", s.first_name, s.last_name.to_uppercase()))
            .unwrap_or_default()
    };
    let stands_in = |member_id: &str| {
        seats
            .iter()
            .find(|m| m.member_id == member_id && m.substitute_for.is_some())
            .and_then(|m| m.substitute_for.as_deref())
            .map(|t| format!("Suppléant de {}", name_of_seat(t)))
            .unwrap_or_default()
    };
    let action = |member_id: &str| format!("{}/presences/{member_id}", meeting_href(meeting_id));
    let mut rows: Vec<Row> = list
        .items
        .iter()
        .map(|e| {
            let answer = match (e.response, e.mode) {
                (Response::Accepted, Some(mode)) => {
                    format!("{} ({})", e.response.label(), mode.label())
                }
                (response, _) => response.label().to_owned(),
            };
            Row {
                member_id: e.member_id.clone(),
                name: format!("{} {}", e.first_name, e.last_name.to_uppercase()),
                answer,
                answer_badge: match e.response {
                    Response::Accepted => "fr-badge--success",
                    Response::Declined => "fr-badge--error",
                    Response::Pending => "fr-badge--info",
                },
                stands_in: stands_in(&e.member_id),
                via: match e.answered_via.as_deref() {
                    Some("calendar") => "Réponse depuis son agenda".into(),
                    _ => String::new(),
                },
                note: e.response_note.clone().unwrap_or_default(),
                undelivered: undelivered(&e.invitation_id),
                presence: e.presence.as_str(),
                choices: choices(),
                action: action(&e.member_id),
                editable,
                saved: String::new(),
            }
        })
        .collect();
    for seat in seats.iter().filter(|m| m.current) {
        if rows.iter().any(|r| r.member_id == seat.member_id) {
            continue;
        }
        let Some(s) = &seat.member else { continue };
        rows.push(Row {
            member_id: seat.member_id.clone(),
            name: format!("{} {}", s.first_name, s.last_name.to_uppercase()),
            answer: if s.email.is_none() {
                "convoqué par courrier".into()
            } else {
                "non invité".into()
            },
            answer_badge: "fr-badge--info",
            stands_in: stands_in(&seat.member_id),
            via: String::new(),
            note: String::new(),
            undelivered: String::new(),
            presence: Presence::Unknown.as_str(),
            choices: choices(),
            action: action(&seat.member_id),
            editable,
            saved: String::new(),
        });
    }
    Ok((rows, list.counts))
}

pub async fn page(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let can_write = staff.can::<need::Write>();
    let editable = can_write && attendance::ROLL_CALL.contains(&meeting.status);
    let (rows, counts) = rows(&state, &staff, &meeting.id, &committee.id, editable).await?;
    let page = AttendancePage {
        layout: sub_layout(&staff, "Présences", &committee, &meeting),
        href: meeting_href(&meeting.id),
        rows,
        accepted: counts.accepted,
        in_person: counts.in_person,
        remote: counts.remote,
        declined: counts.declined,
        pending: counts.pending,
        present: counts.present,
        excused: counts.excused,
        absent: counts.absent,
        editable,
        can_hold: can_write && meeting.status == MeetingStatus::Convened,
    };
    Ok(layout::ok(&page)?)
}

/// The roll call's answers in a form: (member id, presence).
fn called(pairs: &[(String, String)]) -> Result<Vec<(String, Presence)>, AppError> {
    pairs
        .iter()
        .filter_map(|(name, value)| name.strip_prefix(FIELD).map(|member| (member, value)))
        .map(|(member, value)| {
            Presence::parse(value)
                .map(|p| (member.to_owned(), p))
                .ok_or_else(|| AppError::validation("presence", "présence inconnue"))
        })
        .collect()
}

async fn save(
    state: &AppState,
    staff: &Staff,
    meeting_id: &str,
    entries: Vec<(String, Presence)>,
) -> Result<usize, AppError> {
    let (caller, now, mid) = (
        staff.caller.clone(),
        state.clock.now(),
        meeting_id.to_owned(),
    );
    state
        .db
        .write(move |conn| {
            // One transaction for the whole list: all saved, or none.
            for (member_id, presence) in &entries {
                let update = AttendanceUpdate {
                    presence: Some(*presence),
                    ..AttendanceUpdate::default()
                };
                attendance::record(conn, &caller, now, &mid, member_id, update)?;
            }
            Ok(entries.len())
        })
        .await
}

pub async fn record_all(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let meeting_id = id.into_inner();
    let saved = save(&state, &staff, &meeting_id, called(&pairs)?).await?;
    staff.flash(match saved {
        0 => "Aucune présence cochée : rien à enregistrer.".to_owned(),
        1 => "1 présence enregistrée.".to_owned(),
        n => format!("{n} présences enregistrées."),
    });
    Ok(layout::see_other(&format!(
        "{}/presences",
        meeting_href(&meeting_id)
    )))
}

/// One row: with htmx the row comes back saved (the whole form is sent,
/// only this member's choice is read); without, back to the list.
pub async fn record_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let (meeting_id, member_id) = path.into_inner();
    let entry: Vec<(String, Presence)> = called(&pairs)?
        .into_iter()
        .filter(|(member, _)| *member == member_id)
        .collect();
    if entry.is_empty() {
        return Err(AppError::validation("presence", "choisissez une présence").into());
    }
    save(&state, &staff, &meeting_id, entry).await?;
    if req.headers().get("hx-request").is_none() {
        staff.flash("Présence enregistrée.");
        return Ok(layout::see_other(&format!(
            "{}/presences",
            meeting_href(&meeting_id)
        )));
    }
    let (meeting, committee) = meeting(&state, &staff, meeting_id).await?;
    let (rows, _) = rows(&state, &staff, &meeting.id, &committee.id, true).await?;
    let mut row = rows
        .into_iter()
        .find(|r| r.member_id == member_id)
        .ok_or(AppError::NotFound)?;
    row.saved = format!("Enregistré à {}", crate::french::time(state.clock.now()));
    Ok(layout::page(StatusCode::OK, &RowFragment { row })?)
}

pub async fn hold(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), id.into_inner());
    let meeting = state
        .db
        .write(move |conn| meetings::advance(conn, &caller, now, &id, MeetingStatus::Held))
        .await?;
    staff.flash("La réunion est marquée comme tenue. Le compte-rendu peut être rédigé.");
    Ok(layout::see_other(&meeting_href(&meeting.id)))
}
