//! `/committees/{id}/memberships` and `/memberships/{id}`: who sits where.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::{Json, List};
use super::problems::{Authenticated, ById, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::registry::memberships::{self, Membership, MembershipPatch, NewMembership};
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
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
    Authenticated, ById, Query,
))]
#[get("/committees/{id}/memberships")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
    query: web::Query<MembershipQuery>,
) -> AppResult<web::Json<List<Membership>>> {
    let (scope, id, today, current) = (
        caller.scope(),
        id.to_string(),
        state.clock.today(),
        query.current,
    );
    let items = state
        .db
        .read(move |conn| memberships::memberships(conn, &scope, &id, today, current))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewMembership, responses(
    (status = 201, body = Membership),
    Authenticated, Restricted, ById, JsonBody,
))]
#[post("/committees/{id}/memberships")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    input: Json<NewMembership>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let created = state
        .db
        .write(move |conn| memberships::add_membership(conn, &caller, now, &id, input))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MembershipPatch, responses(
    (status = 200, body = Membership),
    Authenticated, Restricted, ById, JsonBody,
))]
#[patch("/memberships/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    patch: Json<MembershipPatch>,
) -> AppResult<web::Json<Membership>> {
    let patch = patch.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| memberships::update_membership(conn, &caller, now, &id, patch))
            .await?,
    ))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204, description = "Removed"),
    Authenticated, Restricted, ById,
))]
#[delete("/memberships/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (now, id) = (state.clock.now(), id.to_string());
    state
        .db
        .write(move |conn| memberships::remove_membership(conn, &caller, now, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
