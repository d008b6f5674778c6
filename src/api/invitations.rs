//! Invitations, reminders and attendance of a meeting.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use uuid::Uuid;

use super::extract::{Json, List, OptionalJson};
use super::problems::{Authenticated, ById, JsonBody, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::meetings::attendance::{Attendance, AttendanceEntry, AttendanceUpdate};
use crate::domain::meetings::invitations::{self, InvitationStatus, InviteRequest, Queued};
use crate::domain::meetings::reminders;
use crate::error::{AppResult, Problem};
use crate::state::AppState;

/// Invites the committee's current members who have an e-mail (or those
/// listed); the meeting becomes convened. Inviting again adds only those
/// not yet invited.
#[utoipa::path(tag = "invitations", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = InviteRequest, responses(
    (status = 202, body = Queued),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Not draft or convened, or already started", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/invitations")]
pub async fn invite(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    request: OptionalJson<InviteRequest>,
) -> AppResult<HttpResponse> {
    let request = request.into_inner()?;
    let request = request.unwrap_or_default();
    let (notices, id) = (state.notices(), id.to_string());
    let queued = state
        .db
        .write(move |conn| invitations::invite(conn, &caller, &notices, &id, request))
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Accepted().json(queued))
}

#[utoipa::path(tag = "invitations", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = List<InvitationStatus>),
    Authenticated, ById,
))]
#[get("/meetings/{id}/invitations")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<List<InvitationStatus>>> {
    let (scope, id) = (caller.scope(), id.to_string());
    let items = state
        .db
        .read(move |conn| invitations::statuses(conn, &scope, &id))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

/// E-mails the invited who have not answered.
#[utoipa::path(tag = "invitations", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 202, body = Queued),
    Authenticated, Restricted, ById,
    (status = 409, description = "Not convened, or already started", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/reminders")]
pub async fn remind(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (notices, id) = (state.notices(), id.to_string());
    let queued = state
        .db
        .write(move |conn| reminders::remind(conn, &caller, &notices, &id))
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Accepted().json(queued))
}

/// Sends a failed or undelivered invitation again, to the member's address
/// as it is now (correct it first), while the meeting is to come.
#[utoipa::path(tag = "invitations", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 202, body = Queued),
    Authenticated, Restricted, ById,
    (status = 409, description = "Not failed nor undelivered, not convened, already started, or no address", body = Problem, content_type = "application/problem+json"),
))]
#[post("/invitations/{id}/resend")]
pub async fn resend(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (now, id) = (state.clock.now(), id.to_string());
    state
        .db
        .write(move |conn| invitations::resend(conn, &caller, now, &id))
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Accepted().json(Queued { queued: 1 }))
}

/// Per invited member: the answer, the mode and the roll call, with counts.
#[utoipa::path(tag = "invitations", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Attendance),
    Authenticated, ById,
))]
#[get("/meetings/{id}/attendance")]
pub async fn attendance(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let (scope, id) = (caller.scope(), id.to_string());
    super::conditional::json(&state, &caller, &req, move |conn| {
        crate::domain::meetings::attendance::list(conn, &scope, &id)
    })
    .await
}

/// The roll call for one member.
#[utoipa::path(tag = "invitations", security(("bearer" = [])), params(("id" = Uuid, Path), ("member_id" = Uuid, Path)), request_body = AttendanceUpdate, responses(
    (status = 200, body = AttendanceEntry),
    Authenticated, Restricted, ById, JsonBody,
    (status = 409, description = "Not the time for the roll call", body = Problem, content_type = "application/problem+json"),
))]
#[put("/meetings/{id}/attendance/{member_id}")]
pub async fn record(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    path: web::Path<(Uuid, Uuid)>,
    update: Json<AttendanceUpdate>,
) -> AppResult<web::Json<AttendanceEntry>> {
    let update = update.into_inner()?;
    let (meeting_id, member_id) = path.into_inner();
    let (now, meeting_id, member_id) = (
        state.clock.now(),
        meeting_id.to_string(),
        member_id.to_string(),
    );
    Ok(web::Json(
        state
            .db
            .write(move |conn| {
                crate::domain::meetings::attendance::record(
                    conn,
                    &caller,
                    now,
                    &meeting_id,
                    &member_id,
                    update,
                )
            })
            .await?,
    ))
}
