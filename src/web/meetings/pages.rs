//! A meeting: the list of all meetings, the meeting's page (facts, agenda,
//! where the invitations stand) and cancelling; creating and editing are
//! in `edit`.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::agenda::AgendaLine;
use super::context::{meeting, sub_layout, trail};
use super::{MeetingLine, badge};
use crate::auth::caller::need;
use crate::domain::meetings::{self, Meeting, MeetingStatus};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::meetings::When;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::Errors;
use crate::web::layout::{self, Layout, Nav, Pager};
use crate::web::paths::committee_href;
use crate::web::paths::meeting_href;
use crate::web::session::{Staff, StaffCan};
use crate::web::{DASHBOARD, MEETINGS};

#[derive(Template)]
#[template(path = "web/meetings/list.html")]
struct ListPage {
    layout: Layout,
    upcoming: Vec<MeetingLine>,
    meetings: Vec<MeetingLine>,
    pager: Pager,
    can_write: bool,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

/// Upcoming meetings first (all of them), then the past ones, paged.
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<PageQuery>,
) -> WebResult<HttpResponse> {
    let (scope, now, page) = (
        staff.caller.scope(),
        state.clock.now_naive(),
        Pager::page_of(query.page),
    );
    let ((upcoming, _), (past, total)) = state
        .db
        .read(move |conn| {
            let all = crate::store::Page {
                limit: 200,
                offset: 0,
            };
            Ok((
                meetings::in_scope(conn, &scope, When::Upcoming(now), all)?,
                meetings::in_scope(conn, &scope, When::Past(now), page)?,
            ))
        })
        .await?;
    let lines = |items: Vec<(Meeting, String)>| {
        items
            .into_iter()
            .map(|(m, committee)| MeetingLine::with_committee(m, committee))
            .collect()
    };
    let page = ListPage {
        layout: Layout::staff(
            &staff,
            "Réunions",
            Nav::Meetings,
            &[("Tableau de bord", DASHBOARD)],
        ),
        upcoming: lines(upcoming),
        meetings: lines(past),
        pager: Pager::new(MEETINGS, "", query.page, total),
        can_write: staff.can::<need::Write>(),
    };
    Ok(layout::ok(&page)?)
}

#[derive(Template)]
#[template(path = "web/meetings/show.html")]
struct ShowPage {
    layout: Layout,
    href: String,
    committee: String,
    committee_href: String,
    date: String,
    hours: String,
    location: String,
    mode: &'static str,
    chair: String,
    status: &'static str,
    badge: &'static str,
    /// Draft or convened: the agenda and the facts may change.
    editable: bool,
    /// Held: the compte-rendu is written, signed, distributed.
    held: bool,
    invited: i64,
    accepted: usize,
    declined: usize,
    pending: usize,
    failed: usize,
    /// Replies received by e-mail: (date, sender, subject, what was done).
    replies: Vec<(String, String, String, String)>,
    agenda: Vec<AgendaLine>,
    annexes: super::annexes::Section,
    agenda_form: super::agenda::ItemForm,
    agenda_errors: Errors,
    can_write: bool,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    render(&state, &staff, id.into_inner(), None).await
}

/// The meeting's page; with `annex_error`, the upload refused, said next
/// to its field (422).
pub(super) async fn render(
    state: &AppState,
    staff: &Staff,
    id: String,
    annex_error: Option<String>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(state, staff, id).await?;
    let (scope, mid) = (staff.caller.scope(), meeting.id.clone());
    let chair_id = meeting.chair_member_id.clone();
    let (items, attendance, statuses, chair, replies, annexes) = state
        .db
        .read(move |conn| {
            let chair = match chair_id {
                Some(id) => Some(crate::domain::registry::members::get(conn, &scope, &id)?),
                None => None,
            };
            Ok((
                meetings::agenda::list(conn, &scope, &mid)?,
                meetings::attendance::list(conn, &scope, &mid)?,
                meetings::invitations::statuses(conn, &scope, &mid)?,
                chair,
                crate::domain::inbox::replies(conn, &scope, &mid)?,
                meetings::annexes::list(conn, &scope, &mid)?,
            ))
        })
        .await?;
    let editable = matches!(
        meeting.status,
        MeetingStatus::Draft | MeetingStatus::Convened
    );
    let can_write = staff.can::<need::Write>();
    let page = ShowPage {
        layout: {
            let trail = trail(&committee, &meeting);
            let trail: Vec<(&str, &str)> = trail[..3]
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            Layout::staff(staff, &meeting.title, Nav::Meetings, &trail)
        },
        href: meeting_href(&meeting.id),
        committee_href: committee_href(&committee.id),
        committee: committee.name.clone(),
        date: crate::french::long_date_of(meeting.starts_at),
        hours: crate::french::hours(meeting.starts_at, meeting.ends_at),
        location: meeting.location.clone().unwrap_or_default(),
        mode: meeting.mode.label(),
        chair: chair.map_or_else(
            || "à désigner".to_owned(),
            |m| format!("{} {}", m.first_name, m.last_name.to_uppercase()),
        ),
        status: meeting.status.label(),
        badge: badge(meeting.status),
        editable,
        held: !editable && meeting.status != MeetingStatus::Cancelled,
        invited: attendance.total,
        accepted: attendance.counts.accepted,
        declined: attendance.counts.declined,
        pending: attendance.counts.pending,
        failed: statuses.iter().filter(|s| s.needs_action()).count(),
        replies: replies
            .into_iter()
            .map(|r| {
                (
                    crate::french::date_time(r.handled_at),
                    r.sender.unwrap_or_else(|| "expéditeur inconnu".into()),
                    r.subject.unwrap_or_else(|| "(sans objet)".into()),
                    r.outcome,
                )
            })
            .collect(),
        annexes: super::annexes::Section::new(
            state,
            &meeting,
            &items,
            annexes,
            can_write,
            annex_error.clone(),
        ),
        agenda: AgendaLine::of_all(&meeting.id, items, editable && can_write),
        agenda_form: super::agenda::ItemForm::default(),
        agenda_errors: Errors::default(),
        can_write,
    };
    let status = match annex_error {
        Some(_) => actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        None => actix_web::http::StatusCode::OK,
    };
    Ok(layout::page(status, &page)?)
}

#[derive(Template)]
#[template(path = "web/meetings/cancel.html")]
struct CancelPage {
    layout: Layout,
    href: String,
    title: String,
    date: String,
    /// How many invited will get the cancellation notice.
    told: i64,
}

pub async fn cancel_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    if !meeting.status.can_become(MeetingStatus::Cancelled) {
        return Err(AppError::Conflict(format!(
            "une réunion {} ne peut plus être annulée",
            meeting.status.label()
        ))
        .into());
    }
    let (scope, mid) = (staff.caller.scope(), meeting.id.clone());
    let statuses = state
        .db
        .read(move |conn| meetings::invitations::statuses(conn, &scope, &mid))
        .await?;
    let told = if meeting.status == MeetingStatus::Convened {
        statuses.len() as i64
    } else {
        0
    };
    let page = CancelPage {
        layout: sub_layout(&staff, "Annuler la réunion", &committee, &meeting),
        href: meeting_href(&meeting.id),
        date: crate::french::date_time(meeting.starts_at),
        title: meeting.title,
        told,
    };
    Ok(layout::ok(&page)?)
}

pub async fn cancel(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, notices, id) = (staff.caller.clone(), state.notices(), id.into_inner());
    let meeting = state
        .db
        .write(move |conn| meetings::cancel(conn, &caller, &notices, &id))
        .await?;
    state.outbox_wake.notify_one();
    staff.flash("Réunion annulée ; les invités en sont prévenus par e-mail.");
    Ok(layout::see_other(&meeting_href(&meeting.id)))
}
