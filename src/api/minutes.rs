//! `/meetings/{id}/minutes`: writing, submitting, returning, signing and
//! revising the minutes; the compte-rendu documents; distribution.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::{Json, List};
use super::problems::{Authenticated, ById, JsonBody, Query, RateLimited, Restricted};
use crate::auth::caller::{Can, need};
use crate::auth::{Caller, Permission};
use crate::documents::Format;
use crate::domain::minutes::distribution::{self, Distributed, Recipient};
use crate::domain::minutes::{self, Minutes, MinutesInput, ReturnRequest, SignRequest};
use crate::error::{AppResult, Problem};
use crate::service;
use crate::state::AppState;

#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Minutes),
    Authenticated, ById,
))]
#[get("/meetings/{id}/minutes")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Minutes>> {
    let (scope, id, now) = (caller.scope(), id.to_string(), state.clock.now());
    Ok(web::Json(
        state
            .db
            .read(move |conn| minutes::get(conn, &scope, &id, now))
            .await?,
    ))
}

/// Saves the draft (any number of times); 409 once submitted or signed.
#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MinutesInput, responses(
    (status = 200, body = Minutes),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Not held, or the minutes are submitted or signed", body = Problem, content_type = "application/problem+json"),
))]
#[put("/meetings/{id}/minutes")]
pub async fn save(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    input: Json<MinutesInput>,
) -> AppResult<web::Json<Minutes>> {
    let input = input.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| minutes::save(conn, &caller, now, &id, input, None))
            .await?,
    ))
}

/// draft → submitted.
#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Minutes),
    Authenticated, Restricted, ById,
    (status = 409, description = "No draft to submit", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/minutes/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Minutes>> {
    let (notices, id) = (state.notices(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| minutes::submit(conn, &caller, &notices, &id))
            .await?,
    ))
}

/// submitted → draft, with the signatory's comment.
#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReturnRequest, responses(
    (status = 200, body = Minutes),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Not submitted", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/minutes/return")]
pub async fn return_to_draft(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Sign>,
    id: web::Path<Uuid>,
    request: Json<ReturnRequest>,
) -> AppResult<web::Json<Minutes>> {
    let request = request.into_inner()?;
    let (notices, id) = (state.notices(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| minutes::return_to_draft(conn, &caller, &notices, &id, request))
            .await?,
    ))
}

/// submitted → signed: the signatory types the password again; every
/// format is rendered, stored and fingerprinted.
#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = SignRequest, responses(
    (status = 200, body = Minutes),
    Authenticated, Restricted, ById, JsonBody,
    (status = 401, description = "No valid token, or the wrong password", body = Problem, content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "Always `Bearer`"))),
    (status = 409, description = "Not submitted, or changed while being signed", body = Problem, content_type = "application/problem+json"),
    RateLimited,
))]
#[post("/meetings/{id}/minutes/sign")]
pub async fn sign(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Sign>,
    id: web::Path<Uuid>,
    request: Json<SignRequest>,
) -> AppResult<web::Json<Minutes>> {
    let request = request.into_inner()?;
    let signed = service::minutes::sign(&state, &caller, &id.to_string(), request).await?;
    Ok(web::Json(signed))
}

/// signed → revision n + 1 in draft; the signed revision stays.
#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Minutes),
    Authenticated, Restricted, ById,
    (status = 409, description = "Not signed", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/minutes/revise")]
pub async fn revise(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Minutes>> {
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| minutes::revise(conn, &caller, now, &id))
            .await?,
    ))
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// A signed revision; the current one by default.
    pub revision: Option<i32>,
}

async fn document(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    revision: Option<i32>,
    format: Format,
) -> AppResult<HttpResponse> {
    caller.require(Permission::Read)?;
    let bytes =
        service::minutes::document(state, caller, &id.to_string(), revision, format).await?;
    let mut response = HttpResponse::Ok();
    response.content_type(format.content_type());
    if format != Format::Html {
        response.insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"compte-rendu.{}\"", format.as_str()),
        ));
    }
    Ok(response.body(bytes))
}

/// The compte-rendu as a printable page; once signed, the signed bytes.
#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path), DocumentQuery), responses(
    (status = 200, description = "HTML", content_type = "text/html"),
    Authenticated, ById, Query,
))]
#[get("/meetings/{id}/compte-rendu.html")]
pub async fn html(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<DocumentQuery>,
) -> AppResult<HttpResponse> {
    document(
        &state,
        &caller,
        id.into_inner(),
        query.revision,
        Format::Html,
    )
    .await
}

#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path), DocumentQuery), responses(
    (status = 200, description = "Markdown", content_type = "text/markdown"),
    Authenticated, ById, Query,
))]
#[get("/meetings/{id}/compte-rendu.md")]
pub async fn markdown(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<DocumentQuery>,
) -> AppResult<HttpResponse> {
    document(
        &state,
        &caller,
        id.into_inner(),
        query.revision,
        Format::Markdown,
    )
    .await
}

#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path), DocumentQuery), responses(
    (status = 200, description = "PDF", content_type = "application/pdf"),
    Authenticated, ById, Query,
))]
#[get("/meetings/{id}/compte-rendu.pdf")]
pub async fn pdf(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<DocumentQuery>,
) -> AppResult<HttpResponse> {
    document(
        &state,
        &caller,
        id.into_inner(),
        query.revision,
        Format::Pdf,
    )
    .await
}

/// E-mails the signed PDF to every committee member with an e-mail.
#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 202, body = Distributed),
    Authenticated, Restricted, ById,
    (status = 409, description = "Not signed", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/minutes/distribute")]
pub async fn distribute(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (notices, id) = (state.notices(), id.to_string());
    let done = state
        .db
        .write(move |conn| distribution::distribute(conn, &caller, &notices, &id))
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Accepted().json(done))
}

/// Who was sent the compte-rendu, and when.
#[utoipa::path(tag = "minutes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = List<Recipient>),
    Authenticated, ById,
))]
#[get("/meetings/{id}/minutes/distribution")]
pub async fn recipients(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<List<Recipient>>> {
    let (scope, id) = (caller.scope(), id.to_string());
    let items = state
        .db
        .read(move |conn| distribution::recipients(conn, &scope, &id))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}
