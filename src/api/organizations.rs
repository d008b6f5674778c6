//! `/organizations`: whom members represent.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::{Json, List, Paging};
use super::problems::{Authenticated, ById, Invalid, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::registry::organizations::{
    self, NewOrganization, Organization, OrganizationPatch, Removal,
};
use crate::domain::text::search_terms;
use crate::error::{AppResult, Problem};
use crate::state::AppState;
use crate::store::organizations::OrganizationFilter;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    /// Words of the name or acronym, accents and case ignored.
    pub q: Option<String>,
    /// Include archived organizations.
    #[serde(default)]
    pub include_archived: bool,
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(OrganizationQuery, Paging), responses(
    (status = 200, body = List<Organization>),
    Authenticated, Query, Invalid,
))]
#[get("/organizations")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    query: web::Query<OrganizationQuery>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<List<Organization>>> {
    let (scope, page) = (caller.scope(), paging.page()?);
    let filter = OrganizationFilter {
        terms: search_terms(query.q.as_deref().unwrap_or_default()),
        include_archived: query.include_archived,
    };
    let list = state
        .db
        .read(move |conn| organizations::list(conn, &scope, &filter, page))
        .await?;
    Ok(web::Json(list.into()))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), request_body = NewOrganization, responses(
    (status = 201, body = Organization),
    Authenticated, Restricted, JsonBody,
    (status = 409, description = "Name already used", body = Problem, content_type = "application/problem+json"),
))]
#[post("/organizations")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    input: Json<NewOrganization>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let now = state.clock.now();
    let created = state
        .db
        .write(move |conn| organizations::create(conn, &caller, now, input))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Organization),
    Authenticated, ById,
))]
#[get("/organizations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Organization>> {
    let (scope, id) = (caller.scope(), id.to_string());
    Ok(web::Json(
        state
            .db
            .read(move |conn| organizations::get(conn, &scope, &id))
            .await?,
    ))
}

#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = OrganizationPatch, responses(
    (status = 200, body = Organization),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Name already used", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/organizations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    patch: Json<OrganizationPatch>,
) -> AppResult<web::Json<Organization>> {
    let patch = patch.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let updated = state
        .db
        .write(move |conn| organizations::update(conn, &caller, now, &id, patch, None))
        .await?;
    Ok(web::Json(updated))
}

/// Deletes the organization, or archives it when members refer to it.
#[utoipa::path(tag = "registry", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "Archived: members refer to it", body = Organization),
    (status = 204, description = "Deleted"),
    Authenticated, Restricted, ById,
))]
#[delete("/organizations/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(
        match state
            .db
            .write(move |conn| organizations::delete(conn, &caller, now, &id))
            .await?
        {
            Removal::Deleted => HttpResponse::NoContent().finish(),
            Removal::Archived(organization) => HttpResponse::Ok().json(organization),
        },
    )
}
