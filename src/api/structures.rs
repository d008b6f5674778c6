//! `/structures`: administrators manage them; staff read their own.

use actix_web::{HttpResponse, get, patch, post, web};
use uuid::Uuid;

use super::extract::{Json, List, Paging};
use super::problems::{Authenticated, ById, Invalid, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::accounts::structures::{self, NewStructure, Structure, StructurePatch};
use crate::error::AppResult;
use crate::state::AppState;

/// Structures visible to the caller (all of them for an administrator).
#[utoipa::path(tag = "structures", security(("bearer" = [])), params(Paging), responses(
    (status = 200, body = List<Structure>),
    Authenticated, Query, Invalid,
))]
#[get("/structures")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<List<Structure>>> {
    let (scope, page) = (caller.scope(), paging.page()?);
    let list = state
        .db
        .read(move |conn| structures::list(conn, &scope, page))
        .await?;
    Ok(web::Json(list.into()))
}

#[utoipa::path(tag = "structures", security(("bearer" = [])), request_body = NewStructure, responses(
    (status = 201, body = Structure),
    Authenticated, Restricted, JsonBody,
))]
#[post("/structures")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::ManageStructures>,
    input: Json<NewStructure>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let now = state.clock.now();
    let structure = state
        .db
        .write(move |conn| structures::create(conn, &(&caller).into(), now, input))
        .await?;
    Ok(HttpResponse::Created().json(structure))
}

#[utoipa::path(tag = "structures", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Structure),
    Authenticated, ById,
))]
#[get("/structures/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Structure>> {
    let (scope, id) = (caller.scope(), id.to_string());
    Ok(web::Json(
        state
            .db
            .read(move |conn| structures::get(conn, &scope, &id))
            .await?,
    ))
}

#[utoipa::path(tag = "structures", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = StructurePatch, responses(
    (status = 200, body = Structure),
    Authenticated, Restricted, ById, JsonBody,
))]
#[patch("/structures/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::ManageStructures>,
    id: web::Path<Uuid>,
    patch: Json<StructurePatch>,
) -> AppResult<web::Json<Structure>> {
    let patch = patch.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let structure = state
        .db
        .write(move |conn| {
            structures::update(
                conn,
                &(&caller).into(),
                now,
                &caller.scope(),
                &id,
                patch,
                None,
            )
        })
        .await?;
    Ok(web::Json(structure))
}
