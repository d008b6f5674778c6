//! Inviting: who will get the e-mail and who needs the printed letter,
//! then sending; where each e-mail stands (queued, sent, failed and why)
//! with "renvoyer"; reminders; the printable convocation letters.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::context::{meeting, sub_layout};
use crate::auth::caller::need;
use crate::domain::meetings::{MeetingStatus, invitations, reminders};
use crate::state::AppState;
use crate::store::members::MemberRow;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::layout::{self, Layout};
use crate::web::paths::meeting_href;
use crate::web::session::{Staff, StaffCan};

pub struct Person {
    pub name: String,
    pub email: String,
}

fn person(member: &MemberRow) -> Person {
    let civility = member
        .civility
        .as_deref()
        .map(|c| format!("{c} "))
        .unwrap_or_default();
    Person {
        name: format!(
            "{civility}{} {}",
            member.first_name,
            member.last_name.to_uppercase()
        ),
        email: member.email.clone().unwrap_or_default(),
    }
}

/// One e-mailed invitation and its delivery.
pub struct Delivery {
    pub name: String,
    pub email: String,
    pub status: &'static str,
    pub badge: &'static str,
    pub error: String,
    pub sent_at: String,
    pub resend_href: Option<String>,
}

#[derive(Template)]
#[template(path = "web/meetings/invitations.html")]
struct InvitationsPage {
    layout: Layout,
    href: String,
    by_email: Vec<Person>,
    by_letter: Vec<Person>,
    substitutes: Vec<Person>,
    already: usize,
    deliveries: Vec<Delivery>,
    pending: usize,
    /// Draft or convened and not started: invitations may still go.
    open: bool,
    convened: bool,
    can_write: bool,
}

pub async fn page(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let (scope, mid, today) = (
        staff.caller.scope(),
        meeting.id.clone(),
        state.clock.today(),
    );
    let (planned, statuses, attendance) = state
        .db
        .read(move |conn| {
            Ok((
                invitations::planned(conn, &scope, &mid, today)?,
                invitations::statuses(conn, &scope, &mid)?,
                crate::domain::meetings::attendance::list(conn, &scope, &mid)?,
            ))
        })
        .await?;
    let open = matches!(
        meeting.status,
        MeetingStatus::Draft | MeetingStatus::Convened
    ) && meeting.starts_at > state.clock.now();
    let convened = meeting.status == MeetingStatus::Convened;
    let can_write = staff.can::<need::Write>();
    let deliveries = statuses
        .into_iter()
        .map(|s| {
            let name = attendance
                .items
                .iter()
                .find(|e| e.member_id == s.member_id)
                .map(|e| format!("{} {}", e.first_name, e.last_name.to_uppercase()))
                .unwrap_or_default();
            let (status, badge) = match s.status.as_str() {
                "sent" => ("envoyée", "fr-badge--success"),
                "failed" => ("échec", "fr-badge--error"),
                "undelivered" => ("non distribuée", "fr-badge--error"),
                _ => ("en file d’envoi", "fr-badge--info"),
            };
            Delivery {
                resend_href: (s.needs_action() && open && convened && can_write).then(|| {
                    format!(
                        "{}/invitations/{}/renvoyer",
                        meeting_href(&meeting.id),
                        s.id
                    )
                }),
                name,
                email: s.email.unwrap_or_default(),
                status,
                badge,
                error: s.last_error.unwrap_or_default(),
                sent_at: s.sent_at.map(crate::french::date_time).unwrap_or_default(),
            }
        })
        .collect();
    let page = InvitationsPage {
        layout: sub_layout(&staff, "Invitations", &committee, &meeting),
        href: meeting_href(&meeting.id),
        by_email: planned.by_email.iter().map(person).collect(),
        by_letter: planned.by_letter.iter().map(person).collect(),
        substitutes: planned.substitutes.iter().map(person).collect(),
        already: planned.already,
        deliveries,
        pending: attendance.counts.pending,
        open,
        convened,
        can_write,
    };
    Ok(layout::ok(&page)?)
}

pub async fn send(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, notices, id) = (staff.caller.clone(), state.notices(), id.into_inner());
    let mid = id.clone();
    let queued = state
        .db
        .write(move |conn| invitations::invite(conn, &caller, &notices, &mid, Default::default()))
        .await?;
    state.outbox_wake.notify_one();
    staff.flash(match queued.queued {
        0 => "Aucune nouvelle invitation : tous les membres ayant une adresse sont déjà invités."
            .to_owned(),
        1 => "1 invitation envoyée ; la réunion est convoquée.".to_owned(),
        n => format!("{n} invitations envoyées ; la réunion est convoquée."),
    });
    Ok(layout::see_other(&format!(
        "{}/invitations",
        meeting_href(&id)
    )))
}

pub async fn resend(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (meeting_id, invitation_id) = path.into_inner();
    let (caller, now) = (staff.caller.clone(), state.clock.now());
    let mid = meeting_id.clone();
    let address = state
        .db
        .write(move |conn| {
            // The invitation must be the meeting's own (the address names both).
            if !invitations::statuses(conn, &caller.scope(), &mid)?
                .iter()
                .any(|s| s.id == invitation_id)
            {
                return Err(crate::error::AppError::NotFound);
            }
            invitations::resend(conn, &caller, now, &invitation_id)
        })
        .await?;
    state.outbox_wake.notify_one();
    staff.flash(format!("Invitation renvoyée à {address}."));
    Ok(layout::see_other(&format!(
        "{}/invitations",
        meeting_href(&meeting_id)
    )))
}

pub async fn remind(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, notices, id) = (staff.caller.clone(), state.notices(), id.into_inner());
    let mid = id.clone();
    let queued = state
        .db
        .write(move |conn| reminders::remind(conn, &caller, &notices, &mid))
        .await?;
    state.outbox_wake.notify_one();
    staff.flash(match queued.queued {
        0 => "Aucune relance : tous les invités ont répondu.".to_owned(),
        1 => "1 relance envoyée.".to_owned(),
        n => format!("{n} relances envoyées."),
    });
    Ok(layout::see_other(&format!(
        "{}/invitations",
        meeting_href(&id)
    )))
}

/// The letters are a print document of their own (its styles inline):
/// they get a policy of their own, without scripts.
const LETTERS_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'";

pub async fn letters(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (scope, id, today) = (staff.caller.scope(), id.into_inner(), state.clock.today());
    let templates = std::sync::Arc::clone(&state.templates);
    let html = state
        .db
        .read(move |conn| {
            crate::domain::meetings::convocation::render(conn, &templates, &scope, &id, None, today)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Security-Policy", LETTERS_POLICY))
        .content_type("text/html; charset=utf-8")
        .body(html))
}
