//! Annexes: files attached to an agenda item or to a meeting, uploaded as
//! `multipart/form-data` (a `file` field), listed, renamed, reordered,
//! deleted until the compte-rendu is signed, downloaded.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use futures_util::StreamExt;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{Json, List};
use super::problems::{AnnexesFrozen, Authenticated, ById, FileUpload, JsonBody, Restricted};
use crate::auth::caller::{Can, need};
use crate::domain::meetings::annex_meeting;
use crate::domain::meetings::annexes::{self, Annex, AnnexOrder, AnnexPatch, Target};
use crate::error::{AppError, AppResult, Problem};
use crate::service;
use crate::state::AppState;

/// The form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AnnexUpload {
    /// PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG, JPEG, CSV or plain text,
    /// its type read from its content; 20 MB at most by default.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// The form's `file` field, read as it arrives; other fields are refused.
async fn upload(
    state: &AppState,
    caller: &crate::auth::Caller,
    target: Target,
    req: &HttpRequest,
    payload: web::Payload,
) -> AppResult<Annex> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("multipart/form-data") {
        return Err(AppError::UnsupportedMediaType(format!(
            "{content_type} (attendu : multipart/form-data, le fichier dans le champ « file »)"
        )));
    }
    let room = service::annexes::room(state, caller, &target).await?;
    let mut form = Multipart::new(req.headers(), payload);
    let unreadable = |_| AppError::BadRequest("formulaire multipart illisible".into());
    let Some(field) = form.next().await else {
        return Err(AppError::validation(
            "file",
            "joignez le fichier (champ « file »)",
        ));
    };
    let field = field.map_err(unreadable)?;
    if field.name() != Some("file") {
        return Err(AppError::validation(
            "file",
            "joignez le fichier (champ « file »)",
        ));
    }
    let file = service::annexes::receive(field, room).await?;
    service::annexes::attach(state, caller, target, file).await
}

/// Attaches a file to an agenda item.
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = inline(AnnexUpload), content_type = "multipart/form-data"), responses(
    (status = 201, body = Annex),
    Authenticated, Restricted, ById, FileUpload,
))]
#[post("/agenda-items/{id}/annexes")]
pub async fn add_to_item(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let annex = upload(
        &state,
        &caller,
        Target::AgendaItem(id.to_string()),
        &req,
        payload,
    )
    .await?;
    Ok(HttpResponse::Created().json(annex))
}

/// Attaches a document to the meeting itself.
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = inline(AnnexUpload), content_type = "multipart/form-data"), responses(
    (status = 201, body = Annex),
    Authenticated, Restricted, ById, FileUpload,
))]
#[post("/meetings/{id}/annexes")]
pub async fn add_to_meeting(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let annex = upload(
        &state,
        &caller,
        Target::Meeting(id.to_string()),
        &req,
        payload,
    )
    .await?;
    Ok(HttpResponse::Created().json(annex))
}

/// A meeting's annexes, in agenda order (the meeting's own documents last).
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = List<Annex>),
    Authenticated, ById,
))]
#[get("/meetings/{id}/annexes")]
pub async fn list(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<List<Annex>>> {
    let (scope, id) = (caller.scope(), id.to_string());
    let items = state
        .db
        .read(move |conn| annexes::list(conn, &scope, &id))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

/// The dossier de séance: one ZIP of the convocation letters, the agenda
/// and every annex in agenda order, with a manifest of names and SHA-256.
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "A ZIP, `Content-Disposition: attachment`", content_type = "application/zip"),
    Authenticated, ById,
))]
#[get("/meetings/{id}/dossier.zip")]
pub async fn dossier(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let who = service::dossier::For::Staff(caller.scope());
    service::dossier::download(&state, id.to_string(), who).await
}

/// The dossier de séance as one PDF: the convocation letters and the
/// agenda, then every annex's pages, in agenda order. Only when every annex
/// is a PDF (otherwise 409: take the ZIP).
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "A PDF, `Content-Disposition: attachment`", content_type = "application/pdf"),
    Authenticated, ById,
    (status = 409, description = "An annex is not a PDF, or cannot be read as one", body = Problem, content_type = "application/problem+json"),
))]
#[get("/meetings/{id}/dossier.pdf")]
pub async fn dossier_pdf(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let who = service::dossier::For::Staff(caller.scope());
    service::dossier::download_pdf(&state, id.to_string(), who).await
}

/// E-mails every invited member that the meeting's documents changed.
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 202, body = crate::domain::meetings::invitations::Queued),
    Authenticated, Restricted, ById,
    (status = 409, description = "Not convened, already started, or no annex", body = Problem, content_type = "application/problem+json"),
))]
#[post("/meetings/{id}/annexes/announce")]
pub async fn announce(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (notices, id) = (state.notices(), id.to_string());
    let queued = state
        .db
        .write(move |conn| annex_meeting::announce(conn, &caller, &notices, &id))
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Accepted().json(crate::domain::meetings::invitations::Queued { queued }))
}

/// The file, as a download.
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The file, `Content-Disposition: attachment`", content_type = "application/octet-stream"),
    Authenticated, ById,
))]
#[get("/annexes/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Read>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let annex = service::annexes::find(&state, &caller, id.to_string()).await?;
    Ok(service::annexes::download(&state, &annex))
}

/// Replaces an annex's file by a new version: its id, item and place stay,
/// its name, type, size and fingerprint are the new file's.
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = inline(AnnexUpload), content_type = "multipart/form-data"), responses(
    (status = 200, body = Annex),
    Authenticated, Restricted, ById, FileUpload,
))]
#[put("/annexes/{id}/content")]
pub async fn replace(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<web::Json<Annex>> {
    let target = Target::Annex(id.to_string());
    Ok(web::Json(
        upload(&state, &caller, target, &req, payload).await?,
    ))
}

/// Renames an annex, or moves it to another item of the agenda (null: to
/// the meeting itself).
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AnnexPatch, responses(
    (status = 200, body = Annex),
    Authenticated, Restricted, ById, JsonBody,
    AnnexesFrozen,
))]
#[patch("/annexes/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    input: Json<AnnexPatch>,
) -> AppResult<web::Json<Annex>> {
    let input = input.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let annex = state
        .db
        .write(move |conn| annexes::update(conn, &caller, now, &id, input.clone()))
        .await?;
    Ok(web::Json(annex))
}

/// Puts all of a meeting's annexes in the order given.
#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AnnexOrder, responses(
    (status = 200, body = List<Annex>),
    Authenticated, Restricted, ById, JsonBody,
    AnnexesFrozen,
))]
#[put("/meetings/{id}/annexes/order")]
pub async fn reorder(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
    order: Json<AnnexOrder>,
) -> AppResult<web::Json<List<Annex>>> {
    let order = order.into_inner()?;
    let (now, id) = (state.clock.now(), id.to_string());
    let items = state
        .db
        .write(move |conn| annex_meeting::reorder(conn, &caller, now, &id, order.clone()))
        .await?;
    let total = items.len() as i64;
    Ok(web::Json(List { items, total }))
}

#[utoipa::path(tag = "annexes", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204, description = "Deleted"),
    Authenticated, Restricted, ById,
    AnnexesFrozen,
))]
#[delete("/annexes/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    Can(caller, _): Can<need::Write>,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (now, id) = (state.clock.now(), id.to_string());
    state
        .db
        .write(move |conn| annexes::remove(conn, &caller, now, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
