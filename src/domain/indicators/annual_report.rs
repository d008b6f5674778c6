//! The committee's annual report: meetings held against the "at least once
//! a year" rule, attendance per organization, the action plan's figures,
//! and the indicators of the year with their legend.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde::Serialize;
use utoipa::ToSchema;

use super::quality::{self, Band};
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::actions::{self, ActionStatus};
use crate::domain::meetings::MeetingStatus;
use crate::error::{AppError, AppResult};
use crate::store::actions::ActionFilter;
use crate::store::{self, Scope};

#[derive(Debug, Serialize, ToSchema)]
pub struct HeldMeeting {
    pub id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// "mercredi 20 décembre 2023".
    pub long_date: String,
    pub invited: usize,
    pub present: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationAttendance {
    pub organization: String,
    pub invited: usize,
    pub present: usize,
    /// present / invited, in percent, one decimal.
    pub rate_percent: f64,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ActionFigures {
    /// Entered during the year.
    pub opened: usize,
    /// Completed during the year.
    pub done: usize,
    /// Still open and past due.
    pub overdue: usize,
    /// Completed during the year and judged effective.
    pub effective: usize,
    pub cancelled: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorOfYear {
    pub name: String,
    pub unit: String,
    pub target: Option<f64>,
    pub value: Option<f64>,
    /// "91,96 %", "5,9 j": as printed.
    pub value_text: Option<String>,
    pub target_text: Option<String>,
    pub status: Option<Band>,
    pub status_label: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualReport {
    pub committee_id: String,
    pub committee_name: String,
    pub structure_name: String,
    pub year: i32,
    pub meetings_held: usize,
    /// The committee meets at least once a year.
    pub meets_yearly_rule: bool,
    pub meetings: Vec<HeldMeeting>,
    pub attendance: Vec<OrganizationAttendance>,
    pub actions: ActionFigures,
    pub indicators: Vec<IndicatorOfYear>,
}

const HELD: [MeetingStatus; 4] = [
    MeetingStatus::Held,
    MeetingStatus::MinutesDraft,
    MeetingStatus::MinutesSubmitted,
    MeetingStatus::MinutesSigned,
];

/// The first instant of a year in France.
fn year_start(year: i32) -> AppResult<DateTime<Utc>> {
    Paris
        .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::validation("year", "année invalide"))
}

/// A number as French documents print it, with its unit: "91,96 %".
pub fn printed(value: f64, unit: quality::Unit) -> String {
    let number = format!("{}", (value * 100.0).round() / 100.0).replace('.', ",");
    match unit {
        quality::Unit::Percent => format!("{number} %"),
        quality::Unit::Days => format!("{number} j"),
        quality::Unit::PerMille => format!("{number} ‰"),
        quality::Unit::Count => number,
    }
}

fn rate(present: usize, invited: usize) -> f64 {
    if invited == 0 {
        0.0
    } else {
        (present as f64 * 1000.0 / invited as f64).round() / 10.0
    }
}

pub fn build(
    conn: &mut DbConn,
    scope: &Scope,
    committee_id: &str,
    year: i32,
    today: NaiveDate,
) -> AppResult<AnnualReport> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::validation("year", "une année entre 2000 et 2100"));
    }
    let committee = store::committees::find(conn, scope, committee_id).found()?;
    let structure = store::structures::find(
        conn,
        &Scope::Structure(committee.structure_id.clone()),
        &committee.structure_id,
    )
    .found()?;
    let (from, until) = (
        year_start(year)?.naive_utc(),
        year_start(year + 1)?.naive_utc(),
    );

    let mut meetings = Vec::new();
    let mut per_organization: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut page = store::Page {
        limit: 500,
        offset: 0,
    };
    loop {
        let (rows, total) = store::meetings::list(conn, &committee.id, page)?;
        for meeting in rows
            .iter()
            .filter(|m| m.starts_at >= from && m.starts_at < until)
        {
            if !HELD.contains(&MeetingStatus::from_stored(&meeting.status)?) {
                continue;
            }
            let (mut invited, mut present) = (0, 0);
            for (invitation, member) in store::invitations::of_meeting(conn, &meeting.id)? {
                let organization = match &member.organization_id {
                    Some(id) => {
                        store::organizations::find(
                            conn,
                            &Scope::Structure(member.structure_id.clone()),
                            id,
                        )
                        .found()?
                        .name
                    }
                    None => "Sans organisation".to_owned(),
                };
                let entry = per_organization.entry(organization).or_default();
                entry.0 += 1;
                invited += 1;
                if invitation.presence == "present" {
                    entry.1 += 1;
                    present += 1;
                }
            }
            meetings.push(HeldMeeting {
                id: meeting.id.clone(),
                title: meeting.title.clone(),
                starts_at: meeting.starts_at.and_utc(),
                long_date: crate::french::long_date_of(meeting.starts_at.and_utc()),
                invited,
                present,
            });
        }
        page.offset += page.limit;
        if page.offset >= total {
            break;
        }
    }
    meetings.sort_by_key(|m| m.starts_at);

    let in_year = |date: Option<NaiveDate>| {
        date.is_some_and(|d| d.format("%Y").to_string() == year.to_string())
    };
    let mut figures = ActionFigures::default();
    for action in actions::list(conn, scope, &committee.id, &ActionFilter::default(), today)? {
        if crate::clock::paris_date(action.created_at)
            .format("%Y")
            .to_string()
            == year.to_string()
        {
            figures.opened += 1;
        }
        match action.status {
            ActionStatus::Done if in_year(action.completed_on) => {
                figures.done += 1;
                if action.effective == Some(true) {
                    figures.effective += 1;
                }
            }
            ActionStatus::Cancelled => figures.cancelled += 1,
            _ => {}
        }
        if action.overdue {
            figures.overdue += 1;
        }
    }

    let period = year.to_string();
    let indicators = quality::list(conn, scope, &committee.id)?
        .into_iter()
        .map(|indicator| {
            let value = indicator.values.iter().find(|v| v.period == period);
            IndicatorOfYear {
                value: value.map(|v| v.value),
                value_text: value.map(|v| printed(v.value, indicator.unit)),
                target_text: indicator.target.map(|t| printed(t, indicator.unit)),
                status: value.and_then(|v| v.status),
                status_label: value.and_then(|v| v.status).map(|b| b.label().to_owned()),
                name: indicator.name,
                unit: indicator.unit.as_str().to_owned(),
                target: indicator.target,
            }
        })
        .collect();

    Ok(AnnualReport {
        committee_id: committee.id,
        committee_name: committee.name,
        structure_name: structure.name,
        year,
        meetings_held: meetings.len(),
        meets_yearly_rule: !meetings.is_empty(),
        attendance: per_organization
            .into_iter()
            .map(
                |(organization, (invited, present))| OrganizationAttendance {
                    rate_percent: rate(present, invited),
                    organization,
                    invited,
                    present,
                },
            )
            .collect(),
        meetings,
        actions: figures,
        indicators,
    })
}
