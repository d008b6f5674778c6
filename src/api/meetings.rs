//! `/committees/{id}/meetings`, `/meetings/{id}` and its lifecycle, and the
//! convocation letter.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::conditional;
use super::extract::{Json, List, Paging};
use super::problems::{Authenticated, ById, Invalid, JsonBody, Query, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::meetings::{self, Meeting, MeetingPatch, MeetingStatus, NewMeeting};
use crate::error::{AppResult, Problem};
use crate::state::AppState;

/// Most recent first.
#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path), Paging), responses(
    (status = 200, body = List<Meeting>),
    Authenticated, ById, Query, Invalid,
))]
#[get("/committees/{id}/meetings")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
    paging: web::Query<Paging>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let (scope, id, page) = (caller.scope(), id.to_string(), paging.page()?);
    conditional::json(&state, &caller, &req, move |conn| {
        Ok(List::from(meetings::list(conn, &scope, &id, page)?))
    })
    .await
}

/// A new meeting, in draft. When the committee's previous meeting has signed
/// minutes, the agenda starts with their approval.
#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewMeeting, responses(
    (status = 201, body = Meeting),
    Authenticated, Restricted, ById, JsonBody,
))]
#[post("/committees/{id}/meetings")]
pub async fn create(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    input: Json<NewMeeting>,
) -> AppResult<HttpResponse> {
    let input = input.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let meeting = state
        .db
        .write(move |conn| meetings::create(conn, &caller, now, &id, input))
        .await?;
    Ok(HttpResponse::Created().json(meeting))
}

#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Meeting),
    Authenticated, ById,
))]
#[get("/meetings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let (scope, id) = (caller.scope(), id.to_string());
    conditional::json(&state, &caller, &req, move |conn| {
        meetings::get(conn, &scope, &id)
    })
    .await
}

/// Changes a draft or convened meeting. A new time or place is sent to the
/// invited (iCalendar update, SEQUENCE + 1).
#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MeetingPatch, responses(
    (status = 200, body = Meeting),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Not draft or convened", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/meetings/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    patch: Json<MeetingPatch>,
) -> AppResult<web::Json<Meeting>> {
    let patch = patch.into_inner()?;
    let (notices, id) = (state.notices(), id.to_string());
    let meeting = state
        .db
        .write(move |conn| meetings::update(conn, &caller, &notices, &id, patch, None))
        .await?;
    state.outbox_wake.notify_one();
    Ok(web::Json(meeting))
}

/// Cancels a draft or convened meeting; the invited are told
/// (iCalendar CANCEL).
#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Meeting),
    Authenticated, Restricted, ById,
    (status = 409, description = "Already held or cancelled", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Meeting>> {
    let (notices, id) = (state.notices(), id.to_string());
    let meeting = state
        .db
        .write(move |conn| meetings::cancel(conn, &caller, &notices, &id))
        .await?;
    state.outbox_wake.notify_one();
    Ok(web::Json(meeting))
}

/// Records that a convened meeting took place (convened → held).
#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Meeting),
    Authenticated, Restricted, ById,
    (status = 409, description = "Not convened", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/hold")]
pub async fn hold(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Meeting>> {
    let (now, id) = (state.clock.now(), id.to_string());
    Ok(web::Json(
        state
            .db
            .write(move |conn| meetings::advance(conn, &caller, now, &id, MeetingStatus::Held))
            .await?,
    ))
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConvocationQuery {
    /// One member's letter; every current member's by default.
    pub member_id: Option<Uuid>,
}

/// Printable convocation letters (A4), for members invited by post.
#[utoipa::path(tag = "meetings", security(("bearer" = [])), params(("id" = Uuid, Path), ConvocationQuery), responses(
    (status = 200, description = "HTML, one page per letter", content_type = "text/html"),
    Authenticated, ById, Query,
))]
#[get("/meetings/{id}/convocation.html")]
pub async fn convocation(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
    query: web::Query<ConvocationQuery>,
) -> AppResult<HttpResponse> {
    let (scope, id, today) = (caller.scope(), id.to_string(), state.clock.today());
    let member = query.member_id.map(|m| m.to_string());
    let templates = std::sync::Arc::clone(&state.templates);
    let html = state
        .db
        .read(move |conn| {
            crate::domain::meetings::convocation::render(
                conn,
                &templates,
                &scope,
                &id,
                member.as_deref(),
                today,
            )
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
