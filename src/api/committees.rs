//! `/committees`.

use actix_web::{HttpResponse, get, patch, post, web};
use uuid::Uuid;

use super::extract::{Json, List, Paging};
use super::problems::{Authenticated, ById, Invalid, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::registry::committees::{self, Committee, CommitteePatch, NewCommittee};
use crate::error::AppResult;
use crate::state::AppState;

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(Paging), responses(
    (status = 200, body = List<Committee>),
    Authenticated, Query, Invalid,
))]
#[get("/committees")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<List<Committee>>> {
    let (scope, page) = (caller.scope(), paging.page()?);
    Ok(web::Json(
        state
            .db
            .read(move |conn| committees::list(conn, &scope, page))
            .await?
            .into(),
    ))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), request_body = NewCommittee, responses(
    (status = 201, body = Committee),
    Authenticated, Restricted, JsonBody,
))]
#[post("/committees")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    input: Json<NewCommittee>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let now = state.clock.now();
    let created = state
        .db
        .write(move |conn| committees::create(conn, &caller, now, input))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Committee),
    Authenticated, ById,
))]
#[get("/committees/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Committee>> {
    let (scope, id) = (caller.scope(), id.to_string());
    Ok(web::Json(
        state
            .db
            .read(move |conn| committees::get(conn, &scope, &id))
            .await?,
    ))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CommitteePatch, responses(
    (status = 200, body = Committee),
    Authenticated, Restricted, ById, JsonBody,
))]
#[patch("/committees/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    patch: Json<CommitteePatch>,
) -> AppResult<web::Json<Committee>> {
    let patch = patch.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| committees::update(conn, &caller, now, &id, patch, None))
            .await?,
    ))
}
