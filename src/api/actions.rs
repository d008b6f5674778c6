//! The action plan: `/committees/{id}/actions`, `/actions/{id}`, its
//! history and the spreadsheet export.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::{Json, List};
use super::problems::{Authenticated, ById, Invalid, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::actions::csv as action_csv;
use crate::domain::actions::history::{self as action_history, HistoryEntry};
use crate::domain::actions::{self, Action, ActionPatch, ActionStatus, NewAction};
use crate::error::{AppError, AppResult, Problem};
use crate::state::AppState;
use crate::store::actions::ActionFilter;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// One status, or several separated by commas.
    pub status: Option<String>,
    /// Only open actions past their due date.
    #[serde(default)]
    pub overdue: bool,
    /// Part of the responsible services ("BLS").
    pub responsible: Option<String>,
    /// Raised or discussed at this meeting.
    pub meeting_id: Option<Uuid>,
}

impl ActionQuery {
    fn filter(&self, today: chrono::NaiveDate) -> AppResult<ActionFilter> {
        let statuses = match &self.status {
            None => Vec::new(),
            Some(wanted) => wanted
                .split(',')
                .map(|s| {
                    ActionStatus::parse(s.trim())
                        .map(|s| s.as_str().to_owned())
                        .ok_or_else(|| {
                            AppError::validation(
                                "status",
                                "valeurs possibles : planned, in_progress, done, cancelled",
                            )
                        })
                })
                .collect::<AppResult<_>>()?,
        };
        Ok(ActionFilter {
            statuses,
            overdue_on: self.overdue.then_some(today),
            responsible_terms: actions::responsible_terms(self.responsible.as_deref()),
            meeting_id: self.meeting_id.map(|m| m.to_string()),
        })
    }
}

/// Numbered actions first, by number.
#[utoipa::path(tag = "actions", security(("bearer" = [])), params(("id" = Uuid, Path), ActionQuery), responses(
    (status = 200, body = List<Action>),
    Authenticated, ById, Query, Invalid,
))]
#[get("/committees/{id}/actions")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
    query: web::Query<ActionQuery>,
) -> AppResult<web::Json<List<Action>>> {
    let today = state.clock.today();
    let (scope, id, filter) = (caller.scope(), id.to_string(), query.filter(today)?);
    let items = state
        .db
        .read(move |conn| actions::list(conn, &scope, &id, &filter, today))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

#[utoipa::path(tag = "actions", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewAction, responses(
    (status = 201, body = Action),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Number taken", body = Problem, content_type = "application/problem+json"),
))]
#[post("/committees/{id}/actions")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    input: Json<NewAction>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let action = state
        .db
        .write(move |conn| actions::create(conn, &caller, now, &id, input))
        .await?;
    Ok(HttpResponse::Created().json(action))
}

#[utoipa::path(tag = "actions", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Action),
    Authenticated, ById,
))]
#[get("/actions/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Action>> {
    let (scope, id, today) = (caller.scope(), id.to_string(), state.clock.today());
    Ok(web::Json(
        state
            .db
            .read(move |conn| actions::get(conn, &scope, &id, today))
            .await?,
    ))
}

/// Changes an action; a status change must be a legal move.
#[utoipa::path(tag = "actions", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ActionPatch, responses(
    (status = 200, body = Action),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Illegal status move, or number taken", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/actions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    patch: Json<ActionPatch>,
) -> AppResult<web::Json<Action>> {
    let patch = patch.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| actions::update(conn, &caller, now, &id, patch))
            .await?,
    ))
}

/// Every change of the action, field by field, who and when.
#[utoipa::path(tag = "actions", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = List<HistoryEntry>),
    Authenticated, ById,
))]
#[get("/actions/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<List<HistoryEntry>>> {
    let (scope, id) = (caller.scope(), id.to_string());
    let items = state
        .db
        .read(move |conn| action_history::history(conn, &scope, &id))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

/// The action plan as a spreadsheet, in the columns of the compte-rendus.
#[utoipa::path(tag = "actions", security(("bearer" = [])), params(("id" = Uuid, Path), ActionQuery), responses(
    (status = 200, description = "UTF-8 with BOM, `;`-separated", content_type = "text/csv"),
    Authenticated, ById, Query, Invalid,
))]
#[get("/committees/{id}/actions.csv")]
pub async fn export_csv(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
    query: web::Query<ActionQuery>,
) -> AppResult<HttpResponse> {
    let today = state.clock.today();
    let (scope, id, filter) = (caller.scope(), id.to_string(), query.filter(today)?);
    let items = state
        .db
        .read(move |conn| actions::list(conn, &scope, &id, &filter, today))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"plan-d-actions.csv\"",
        ))
        .body(action_csv::render(&items)?))
}
