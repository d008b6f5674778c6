//! `/meetings/{id}/agenda-items` and `/agenda-items/{id}`.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use uuid::Uuid;

use super::extract::{Json, List};
use super::problems::{Authenticated, ById, JsonBody, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::meetings::agenda::{
    self, AgendaItem, AgendaItemPatch, AgendaOrder, NewAgendaItem,
};
use crate::error::{AppResult, Problem};
use crate::state::AppState;

/// In order.
#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = List<AgendaItem>),
    Authenticated, ById,
))]
#[get("/meetings/{id}/agenda-items")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<List<AgendaItem>>> {
    let (scope, id) = (caller.scope(), id.to_string());
    let items = state
        .db
        .read(move |conn| agenda::list(conn, &scope, &id))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewAgendaItem, responses(
    (status = 201, body = AgendaItem),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "The meeting is past its draft or convened stage", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/agenda-items")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    input: Json<NewAgendaItem>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let item = state
        .db
        .write(move |conn| agenda::create(conn, &caller, now, &id, input))
        .await?;
    Ok(HttpResponse::Created().json(item))
}

#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AgendaItemPatch, responses(
    (status = 200, body = AgendaItem),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "The meeting is past its draft or convened stage", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/agenda-items/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    patch: Json<AgendaItemPatch>,
) -> AppResult<web::Json<AgendaItem>> {
    let patch = patch.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| agenda::update(conn, &caller, now, &id, patch))
            .await?,
    ))
}

#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204, description = "Removed"),
    Authenticated, Restricted, ById,
    (status = 409, description = "The meeting is past its draft or convened stage", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/agenda-items/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (now, id) = (state.clock.now(), id.to_string());
    state
        .db
        .write(move |conn| agenda::delete(conn, &caller, now, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reorders the whole agenda in one call.
#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AgendaOrder, responses(
    (status = 200, body = List<AgendaItem>),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "The meeting is past its draft or convened stage", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Not every item once", body = Problem, content_type = "application/problem+json"),
))]
#[put("/meetings/{id}/agenda-items/order")]
pub async fn reorder(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    order: Json<AgendaOrder>,
) -> AppResult<web::Json<List<AgendaItem>>> {
    let order = order.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let items = state
        .db
        .write(move |conn| agenda::reorder(conn, &caller, now, &id, order))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}
