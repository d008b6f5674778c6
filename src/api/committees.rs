//! `/committees` and their memberships.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::{Json, List, Paging};
use crate::auth::{Caller, Permission};
use crate::domain::committees::{
    self, Committee, CommitteePatch, Membership, MembershipPatch, NewCommittee, NewMembership,
};
use crate::error::{AppResult, Problem};
use crate::state::AppState;

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(Paging), responses(
    (status = 200, body = List<Committee>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/committees")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<List<Committee>>> {
    caller.require(Permission::Read)?;
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
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/committees")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Json(input): Json<NewCommittee>,
) -> AppResult<HttpResponse> {
    caller.require(Permission::Write)?;
    let now = state.clock.now();
    let created = state
        .db
        .write(move |conn| committees::create(conn, &caller, now, input))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Committee),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/committees/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Committee>> {
    caller.require(Permission::Read)?;
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
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/committees/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(patch): Json<CommitteePatch>,
) -> AppResult<web::Json<Committee>> {
    caller.require(Permission::Write)?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| committees::update(conn, &caller, now, &id, patch))
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembershipQuery {
    /// Only the memberships in force today.
    #[serde(default)]
    pub current: bool,
}

/// Chair first, then secretary, members and guests; each titular with the
/// membership of its substitute (`substitute_id`) and each substitute with
/// its titular (`substitute_for`).
#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path), MembershipQuery), responses(
    (status = 200, body = List<Membership>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/committees/{id}/memberships")]
pub async fn memberships(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<MembershipQuery>,
) -> AppResult<web::Json<List<Membership>>> {
    caller.require(Permission::Read)?;
    let (scope, id, today, current) = (
        caller.scope(),
        id.to_string(),
        state.clock.today(),
        query.current,
    );
    let items = state
        .db
        .read(move |conn| committees::memberships(conn, &scope, &id, today, current))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewMembership, responses(
    (status = 201, body = Membership),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/committees/{id}/memberships")]
pub async fn add_membership(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(input): Json<NewMembership>,
) -> AppResult<HttpResponse> {
    caller.require(Permission::Write)?;
    let (now, id) = (state.clock.now(), id.to_string());
    let created = state
        .db
        .write(move |conn| committees::add_membership(conn, &caller, now, &id, input))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MembershipPatch, responses(
    (status = 200, body = Membership),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/memberships/{id}")]
pub async fn update_membership(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Json(patch): Json<MembershipPatch>,
) -> AppResult<web::Json<Membership>> {
    caller.require(Permission::Write)?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| committees::update_membership(conn, &caller, now, &id, patch))
            .await?,
    ))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204, description = "Removed"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[delete("/memberships/{id}")]
pub async fn remove_membership(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    caller.require(Permission::Write)?;
    let (now, id) = (state.clock.now(), id.to_string());
    state
        .db
        .write(move |conn| committees::remove_membership(conn, &caller, now, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
