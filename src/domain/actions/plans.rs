//! The action plans as the pages read them: each committee with how many
//! of its actions are open and overdue; one committee's plan with the
//! meetings its actions can be filtered by; one action with its history.

use chrono::NaiveDate;

use super::history::{HistoryEntry, history};
use super::lifecycle::{Action, get, list};
use crate::db::DbConn;
use crate::domain::meetings::{self, Meeting};
use crate::domain::registry::committees::{self, Committee};
use crate::error::AppResult;
use crate::store::actions::ActionFilter;
use crate::store::{Page, Scope};

/// Enough for every meeting of a committee's life.
const ALL_MEETINGS: Page = Page {
    limit: 500,
    offset: 0,
};

pub struct PlanSummary {
    pub committee: Committee,
    pub total: usize,
    pub open: usize,
    pub overdue: usize,
}

/// The committees in scope (a page of them) with their plan's counts.
pub fn summaries(
    conn: &mut DbConn,
    scope: &Scope,
    page: Page,
    today: NaiveDate,
) -> AppResult<(Vec<PlanSummary>, i64)> {
    let (items, total) = committees::list(conn, scope, page)?;
    let summaries = items
        .into_iter()
        .map(|committee| {
            let actions = list(conn, scope, &committee.id, &ActionFilter::default(), today)?;
            Ok(PlanSummary {
                total: actions.len(),
                open: actions.iter().filter(|a| a.status.is_open()).count(),
                overdue: actions.iter().filter(|a| a.overdue).count(),
                committee,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok((summaries, total))
}

pub struct Plan {
    pub committee: Committee,
    /// The actions the filter keeps.
    pub actions: Vec<Action>,
    /// The committee's meetings, most recent first.
    pub meetings: Vec<Meeting>,
}

pub fn plan(
    conn: &mut DbConn,
    scope: &Scope,
    committee_id: &str,
    filter: &ActionFilter,
    today: NaiveDate,
) -> AppResult<Plan> {
    let committee = committees::get(conn, scope, committee_id)?;
    let actions = list(conn, scope, committee_id, filter, today)?;
    let (meetings, _) = meetings::list(conn, scope, committee_id, ALL_MEETINGS)?;
    Ok(Plan {
        committee,
        actions,
        meetings,
    })
}

/// The committee and its meetings, for a new action's form.
pub fn committee_meetings(
    conn: &mut DbConn,
    scope: &Scope,
    committee_id: &str,
) -> AppResult<(Committee, Vec<Meeting>)> {
    let committee = committees::get(conn, scope, committee_id)?;
    let (meetings, _) = meetings::list(conn, scope, committee_id, ALL_MEETINGS)?;
    Ok((committee, meetings))
}

pub struct ActionPage {
    pub action: Action,
    pub committee: Committee,
    pub meetings: Vec<Meeting>,
    pub history: Vec<HistoryEntry>,
}

/// One action, its committee, the committee's meetings (to name the ones
/// it refers to, and to choose from when editing) and its history.
pub fn page(conn: &mut DbConn, scope: &Scope, id: &str, today: NaiveDate) -> AppResult<ActionPage> {
    let action = get(conn, scope, id, today)?;
    let committee = committees::get(conn, scope, &action.committee_id)?;
    let (meetings, _) = meetings::list(conn, scope, &committee.id, ALL_MEETINGS)?;
    let history = history(conn, scope, id)?;
    Ok(ActionPage {
        action,
        committee,
        meetings,
        history,
    })
}
