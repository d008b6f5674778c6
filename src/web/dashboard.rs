//! `GET /tableau-de-bord`: what is left to do (minutes to write or to
//! sign, invitations that failed, overdue actions), the meetings to come
//! with who has answered, and the last ones held.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::calls;
use super::error::WebResult;
use super::layout::{self, Layout, Nav};
use super::meetings::badge;
use super::session::Staff;
use crate::state::AppState;
use crate::web::filters;

/// Meetings shown, to come and past.
const NEXT_MEETINGS: usize = 10;

pub struct MeetingRow {
    pub href: String,
    pub date: String,
    pub hours: String,
    pub committee: String,
    pub title: String,
    pub location: String,
    pub status: &'static str,
    /// The DSFR badge's variant for the status.
    pub badge: &'static str,
    pub invited: i64,
    pub accepted: usize,
    pub declined: usize,
    pub pending: usize,
    pub failed: usize,
}

pub struct OverdueRow {
    pub finding: String,
    pub committee: String,
    pub due: String,
    pub responsible: String,
}

pub struct PastRow {
    pub href: String,
    pub date: String,
    pub committee: String,
    pub title: String,
    pub status: &'static str,
    pub badge: &'static str,
    /// Its compte-rendu's page, once the meeting is held.
    pub minutes: Option<String>,
}

#[derive(Template)]
#[template(path = "web/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    meetings: Vec<MeetingRow>,
    past: Vec<PastRow>,
    committees: i64,
    can_write: bool,
    /// Past meetings whose minutes are to write, or waiting for a signature.
    to_write: usize,
    to_sign: usize,
    /// A signatory's "to sign" leads to the signing queue.
    signs: bool,
    failed: usize,
    overdue: Vec<OverdueRow>,
    overdue_total: i64,
}

pub async fn page(state: web::Data<AppState>, staff: Staff) -> WebResult<HttpResponse> {
    let now = state.clock.now();
    let overview = calls::overview(&state, &staff.caller, now, NEXT_MEETINGS).await?;
    use crate::domain::meetings::MeetingStatus;
    let count = |wanted: &[MeetingStatus]| {
        overview
            .past
            .iter()
            .filter(|p| wanted.contains(&p.meeting.status))
            .count()
    };
    let to_write = count(&[MeetingStatus::Held, MeetingStatus::MinutesDraft]);
    let to_sign = count(&[MeetingStatus::MinutesSubmitted]);
    let overdue = overview
        .overdue
        .into_iter()
        .map(|(action, committee)| OverdueRow {
            finding: action.finding,
            committee,
            due: action.due_date.map(crate::french::date).unwrap_or_default(),
            responsible: action.responsible.unwrap_or_default(),
        })
        .collect();
    let past = overview
        .past
        .into_iter()
        .map(|p| PastRow {
            minutes: (!matches!(
                p.meeting.status,
                MeetingStatus::Draft | MeetingStatus::Convened | MeetingStatus::Cancelled
            ))
            .then(|| super::minutes::minutes_href(&p.meeting.id)),
            href: super::paths::meeting_href(&p.meeting.id),
            date: crate::french::long_date_of(p.meeting.starts_at),
            committee: p.committee,
            title: p.meeting.title,
            status: p.meeting.status.label(),
            badge: badge(p.meeting.status),
        })
        .collect();
    let meetings: Vec<MeetingRow> = overview
        .upcoming
        .into_iter()
        .map(|u| MeetingRow {
            href: super::paths::meeting_href(&u.meeting.id),
            date: crate::french::long_date_of(u.meeting.starts_at),
            hours: crate::french::hours(u.meeting.starts_at, u.meeting.ends_at),
            committee: u.committee,
            title: u.meeting.title,
            location: u.meeting.location.unwrap_or_default(),
            status: u.meeting.status.label(),
            badge: badge(u.meeting.status),
            invited: u.invited,
            accepted: u.counts.accepted,
            declined: u.counts.declined,
            pending: u.counts.pending,
            failed: u.failed,
        })
        .collect();
    let failed = meetings.iter().map(|m| m.failed).sum();
    let page = DashboardPage {
        layout: Layout::staff(&staff, "Tableau de bord", Nav::Dashboard, &[]),
        meetings,
        past,
        committees: overview.committees,
        can_write: staff.can::<crate::auth::caller::need::Write>(),
        to_write,
        to_sign,
        signs: staff.can::<crate::auth::caller::need::Sign>(),
        failed,
        overdue,
        overdue_total: overview.overdue_total,
    };
    Ok(layout::ok(&page)?)
}
