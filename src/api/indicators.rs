//! Quality indicators of a committee, and the annual report.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::{Json, List};
use super::problems::{Authenticated, ById, Invalid, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::auth::{Caller, Permission};
use crate::domain::indicators::annual_report::{self, AnnualReport};
use crate::domain::indicators::charts;
use crate::domain::indicators::{self, Indicator, NewIndicator, NewValue};
use crate::error::AppResult;
use crate::state::AppState;

/// With their values and each value's status in the legend.
#[utoipa::path(tag = "indicators", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = List<Indicator>),
    Authenticated, ById,
))]
#[get("/committees/{id}/indicators")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<List<Indicator>>> {
    let (scope, id) = (caller.scope(), id.to_string());
    let items = state
        .db
        .read(move |conn| indicators::list(conn, &scope, &id))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

#[utoipa::path(tag = "indicators", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewIndicator, responses(
    (status = 201, body = Indicator),
    Authenticated, Restricted, ById, JsonBody,
))]
#[post("/committees/{id}/indicators")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    input: Json<NewIndicator>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let indicator = state
        .db
        .write(move |conn| indicators::create(conn, &caller, now, &id, input))
        .await?;
    Ok(HttpResponse::Created().json(indicator))
}

#[utoipa::path(tag = "indicators", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Indicator),
    Authenticated, ById,
))]
#[get("/indicators/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Indicator>> {
    let (scope, id) = (caller.scope(), id.to_string());
    Ok(web::Json(
        state
            .db
            .read(move |conn| indicators::get(conn, &scope, &id))
            .await?,
    ))
}

/// Records the value of a period (or corrects it).
#[utoipa::path(tag = "indicators", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewValue, responses(
    (status = 200, body = Indicator),
    Authenticated, Restricted, ById, JsonBody,
))]
#[post("/indicators/{id}/values")]
pub async fn record_value(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    input: Json<NewValue>,
) -> AppResult<web::Json<Indicator>> {
    let input = input.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| indicators::record_value(conn, &caller, now, &id, input))
            .await?,
    ))
}

/// The report and its charts (SVG built and escaped by `charts`, inserted
/// as they are by the template), for the printable page.
#[derive(Serialize)]
struct PrintedReport {
    #[serde(flatten)]
    report: AnnualReport,
    charts: charts::Charts,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    #[param(minimum = 2000, maximum = 2100)]
    pub year: i32,
}

async fn build(state: &AppState, caller: &Caller, id: Uuid, year: i32) -> AppResult<AnnualReport> {
    caller.require(Permission::Read)?;
    let (scope, id, today) = (caller.scope(), id.to_string(), state.clock.today());
    state
        .db
        .read(move |conn| annual_report::build(conn, &scope, &id, year, today))
        .await
}

#[utoipa::path(tag = "indicators", security(("bearer" = [])), params(("id" = Uuid, Path), ReportQuery), responses(
    (status = 200, body = AnnualReport),
    Authenticated, ById, Query, Invalid,
))]
#[get("/committees/{id}/report")]
pub async fn report(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ReportQuery>,
) -> AppResult<web::Json<AnnualReport>> {
    Ok(web::Json(
        build(&state, &caller, id.into_inner(), query.year).await?,
    ))
}

/// The annual report as a printable French page.
#[utoipa::path(tag = "indicators", security(("bearer" = [])), params(("id" = Uuid, Path), ReportQuery), responses(
    (status = 200, description = "HTML", content_type = "text/html"),
    Authenticated, ById, Query, Invalid,
))]
#[get("/committees/{id}/report.html")]
pub async fn report_html(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ReportQuery>,
) -> AppResult<HttpResponse> {
    let built = build(&state, &caller, id.into_inner(), query.year).await?;
    let data = PrintedReport {
        charts: charts::charts(&built),
        report: built,
    };
    let html = state
        .templates
        .render("documents/annual-report.html.hbs", &data)?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
