//! `/plans-d-action` (the committees and their counts) and a committee's
//! plan: the table, its filters as a GET form, its paging, its CSV.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::fields::{ActionLine, meeting_options};
use super::plan_href;
use crate::auth::caller::need;
use crate::domain::actions::{self, ActionStatus, plans};
use crate::state::AppState;
use crate::store::actions::ActionFilter;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::layout::{self, Layout, Nav, PAGE_SIZE, Pager};
use crate::web::paths::committee_href;
use crate::web::session::Staff;
use crate::web::{ACTIONS, DASHBOARD};

pub struct SummaryLine {
    pub href: String,
    pub name: String,
    pub total: usize,
    pub open: usize,
    pub overdue: usize,
}

#[derive(Template)]
#[template(path = "web/actions/plans.html")]
struct SummariesPage {
    layout: Layout,
    lines: Vec<SummaryLine>,
    pager: Pager,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn summaries(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<PageQuery>,
) -> WebResult<HttpResponse> {
    let (scope, page, today) = (
        staff.caller.scope(),
        Pager::page_of(query.page),
        state.clock.today(),
    );
    let (items, total) = state
        .db
        .read(move |conn| plans::summaries(conn, &scope, page, today))
        .await?;
    let page = SummariesPage {
        layout: Layout::staff(
            &staff,
            "Plans d’action",
            Nav::Actions,
            &[("Tableau de bord", DASHBOARD)],
        ),
        lines: items
            .into_iter()
            .map(|s| SummaryLine {
                href: plan_href(&s.committee.id),
                name: s.committee.name,
                total: s.total,
                open: s.open,
                overdue: s.overdue,
            })
            .collect(),
        pager: Pager::new(ACTIONS, "", query.page, total),
    };
    Ok(layout::ok(&page)?)
}

/// The plan's filters, as the GET form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct PlanQuery {
    #[serde(default)]
    statut: String,
    #[serde(default)]
    en_retard: String,
    #[serde(default)]
    reunion: String,
    page: Option<i64>,
}

impl PlanQuery {
    fn filter(&self, today: chrono::NaiveDate) -> ActionFilter {
        ActionFilter {
            statuses: ActionStatus::parse(&self.statut)
                .map(|s| vec![s.as_str().to_owned()])
                .unwrap_or_default(),
            overdue_on: (!self.en_retard.is_empty()).then_some(today),
            responsible_terms: Vec::new(),
            meeting_id: crate::web::form::text(&self.reunion),
        }
    }

    /// The filters as a query string, for the pager's and the CSV's links.
    fn encoded(&self) -> String {
        let mut pairs = Vec::new();
        for (name, value) in [
            ("statut", &self.statut),
            ("en_retard", &self.en_retard),
            ("reunion", &self.reunion),
        ] {
            if !value.is_empty() {
                pairs.push((name, value.as_str()));
            }
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "web/actions/plan.html")]
struct PlanPage {
    layout: Layout,
    committee_href: String,
    new_href: String,
    csv_href: String,
    lines: Vec<ActionLine>,
    /// Before the filters: the plan is empty, or only the filters leave nothing.
    filtered: bool,
    statuses: Vec<(String, String)>,
    meetings: Vec<(String, String)>,
    query: PlanQuery,
    pager: Pager,
    can_write: bool,
}

pub async fn plan(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    query: web::Query<PlanQuery>,
) -> WebResult<HttpResponse> {
    let query = query.into_inner();
    let (scope, id, today) = (staff.caller.scope(), id.into_inner(), state.clock.today());
    let filter = query.filter(today);
    let plan = state
        .db
        .read(move |conn| plans::plan(conn, &scope, &id, &filter, today))
        .await?;
    let href = plan_href(&plan.committee.id);
    let encoded = query.encoded();
    let pager = Pager::new(&href, &encoded, query.page, plan.actions.len() as i64);
    let skip = usize::try_from((pager.page - 1) * PAGE_SIZE).unwrap_or(0);
    let committee = committee_href(&plan.committee.id);
    let page = PlanPage {
        layout: Layout::staff(
            &staff,
            &format!("Plan d’action — {}", plan.committee.name),
            Nav::Actions,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Plans d’action", ACTIONS),
                (&plan.committee.name, &committee),
            ],
        ),
        new_href: format!("{href}/nouvelle"),
        csv_href: if encoded.is_empty() {
            format!("{href}.csv")
        } else {
            format!("{href}.csv?{encoded}")
        },
        committee_href: committee.clone(),
        lines: plan
            .actions
            .iter()
            .skip(skip)
            .take(usize::try_from(PAGE_SIZE).unwrap_or(50))
            .map(ActionLine::of)
            .collect(),
        filtered: !encoded.is_empty(),
        statuses: std::iter::once((String::new(), "Tous".to_owned()))
            .chain(
                ActionStatus::ALL
                    .iter()
                    .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
            )
            .collect(),
        meetings: meeting_options(&plan.meetings, "Toutes"),
        query,
        pager,
        can_write: staff.can::<need::Write>(),
    };
    Ok(layout::ok(&page)?)
}

/// The plan (as filtered) in the columns of the compte-rendus' table.
pub async fn export(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    query: web::Query<PlanQuery>,
) -> WebResult<HttpResponse> {
    let (scope, id, today) = (staff.caller.scope(), id.into_inner(), state.clock.today());
    let filter = query.filter(today);
    let body = state
        .db
        .read(move |conn| {
            let items = actions::list(conn, &scope, &id, &filter, today)?;
            actions::csv::render(&items)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"plan-d-action.csv\"",
        ))
        .body(body))
}
