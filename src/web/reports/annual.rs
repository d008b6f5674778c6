//! `/comites/{id}/bilan`: the years to choose from; `/comites/{id}/bilan/{year}`:
//! the committee's annual report, its charts beside their figures, printable.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::BandLine;
use crate::domain::indicators::annual_report::{self, AnnualReport};
use crate::domain::indicators::charts::{self, Charts};
use crate::domain::registry::committees;
use crate::state::AppState;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::layout::{self, Layout, Nav};
use crate::web::paths::committee_href;
use crate::web::session::Staff;
use crate::web::{COMMITTEES, DASHBOARD};

/// How many years the chooser offers, the current one first.
const YEARS: i32 = 6;

#[derive(Template)]
#[template(path = "web/reports/years.html")]
struct YearsPage {
    layout: Layout,
    years: Vec<(i32, String)>,
}

pub async fn years(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (scope, id) = (staff.caller.scope(), id.into_inner());
    let committee = state
        .db
        .read(move |conn| committees::get(conn, &scope, &id))
        .await?;
    let href = committee_href(&committee.id);
    let this_year: i32 = state
        .clock
        .today()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026);
    let page = YearsPage {
        layout: Layout::staff(
            &staff,
            &format!("Bilan annuel — {}", committee.name),
            Nav::Committees,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Comités", COMMITTEES),
                (&committee.name, &href),
            ],
        ),
        years: (0..YEARS)
            .map(|back| this_year - back)
            .map(|year| (year, format!("{href}/bilan/{year}")))
            .collect(),
    };
    Ok(layout::ok(&page)?)
}

#[derive(Template)]
#[template(path = "web/reports/annual.html")]
struct ReportPage {
    layout: Layout,
    report: AnnualReport,
    charts: Charts,
    legend: Vec<BandLine>,
    bands: Vec<Option<BandLine>>,
    previous: String,
    next: String,
}

pub async fn page(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, i32)>,
) -> WebResult<HttpResponse> {
    let (id, year) = path.into_inner();
    let (scope, today) = (staff.caller.scope(), state.clock.today());
    let report = state
        .db
        .read(move |conn| annual_report::build(conn, &scope, &id, year, today))
        .await?;
    let href = committee_href(&report.committee_id);
    let page = ReportPage {
        layout: Layout::staff(
            &staff,
            &format!("Bilan annuel {year} — {}", report.committee_name),
            Nav::Committees,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Comités", COMMITTEES),
                (&report.committee_name, &href),
                ("Bilan annuel", &format!("{href}/bilan")),
            ],
        ),
        charts: charts::charts(&report),
        legend: BandLine::legend(),
        bands: report
            .indicators
            .iter()
            .map(|i| i.status.map(BandLine::of))
            .collect(),
        previous: format!("{href}/bilan/{}", year - 1),
        next: format!("{href}/bilan/{}", year + 1),
        report,
    };
    Ok(layout::ok(&page)?)
}
