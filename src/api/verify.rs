//! `GET /verify/{sha256}`: is this a signed compte-rendu? `POST /verify`:
//! what does the signature of this copy prove? JSON, or a French page for
//! a browser (with the form to send a copy on `GET /verify`).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde_json::json;

use crate::domain::minutes::verification::{self, CopyVerification, Verification};
use crate::error::{AppError, AppResult, Problem};
use crate::state::AppState;

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Anyone may check a fingerprint; the answer holds no member's data.
#[utoipa::path(tag = "minutes", params(("sha256" = String, Path, description = "The SHA-256 of a document, hex")), responses(
    (status = 200, description = "JSON, or a French page when `Accept` asks for HTML", content(
        (Verification = "application/json"),
        (String = "text/html"),
    )),
    (status = 404, description = "No signed document has this fingerprint", content(
        (Problem = "application/problem+json"),
        (String = "text/html"),
    )),
))]
#[get("/verify/{sha256}")]
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    sha256: web::Path<String>,
) -> AppResult<HttpResponse> {
    let wanted = sha256.into_inner();
    let lookup = wanted.clone();
    let result = state
        .db
        .read(move |conn| verification::verify(conn, &lookup))
        .await;
    if !wants_html(req.headers()) {
        return result.map(|found| HttpResponse::Ok().json(found));
    }
    let (status, data) = match result {
        Ok(found) => (
            StatusCode::OK,
            serde_json::to_value(found).map_err(AppError::internal)?,
        ),
        Err(AppError::NotFound) => return not_found_page(&state, &wanted),
        Err(err) => return Err(err),
    };
    page(&state, status, &data)
}

fn page(state: &AppState, status: StatusCode, data: &serde_json::Value) -> AppResult<HttpResponse> {
    let page = state.templates.render("pages/verify.html.hbs", data)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page))
}

/// The French page saying no signed document has this fingerprint.
fn not_found_page(state: &AppState, wanted: &str) -> AppResult<HttpResponse> {
    page(
        state,
        StatusCode::NOT_FOUND,
        &json!({"found": false, "sha256": wanted, "structure_name": null, "committee_name": null, "meeting_date": null, "revision": null, "format": null, "signer": null, "signed_at": null, "annex_name": null}),
    )
}

/// An annex listed in a signed compte-rendu, by its fingerprint: the link
/// of the distribution e-mail, which outlives the answer link.
#[utoipa::path(tag = "minutes", params(("sha256" = String, Path, description = "The SHA-256 of an annex, hex")), responses(
    (status = 200, description = "The file, `Content-Disposition: attachment`", content_type = "application/octet-stream"),
    (status = 404, description = "No signed compte-rendu lists a file with this fingerprint", content(
        (Problem = "application/problem+json"),
        (String = "text/html"),
    )),
))]
#[get("/verify/{sha256}/fichier")]
pub async fn annex(
    state: web::Data<AppState>,
    req: HttpRequest,
    sha256: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (wanted, lookup) = (sha256.clone(), sha256.into_inner());
    let found = state
        .db
        .read(move |conn| verification::signed_annex_file(conn, &lookup))
        .await;
    match found {
        Ok(annex) => Ok(crate::service::annexes::download(&state, &annex)),
        Err(AppError::NotFound) if wants_html(req.headers()) => not_found_page(&state, &wanted),
        Err(err) => Err(err),
    }
}

/// The largest copy checked: a compte-rendu is well under a megabyte.
pub const COPY_LIMIT: usize = 20 * 1024 * 1024;

/// The page with the form to send a copy.
#[utoipa::path(tag = "minutes", responses(
    (status = 200, description = "The French page with the form to check a signed PDF", content_type = "text/html"),
))]
#[get("/verify")]
pub async fn verify_form(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    page(&state, StatusCode::OK, &json!({"form": true}))
}

/// Anyone may check a copy: its signatures, and what clu holds of it.
#[utoipa::path(tag = "minutes",
    request_body(description = "The PDF, as `application/pdf`, or in the `file` field of a `multipart/form-data` form (the /verify page's); 20 MB at most", content(
        (String = "application/pdf"),
        (String = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "What the signatures prove: JSON, or a French page when `Accept` asks for HTML", content(
            (CopyVerification = "application/json"),
            (String = "text/html"),
        )),
        (status = 400, description = "An unreadable form or an interrupted upload", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 20 MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a PDF", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/verify")]
pub async fn copy(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let bytes = received_pdf(&req, payload).await?;
    let signer = std::sync::Arc::clone(&state.signer);
    let report = web::block(move || signer.verify(&bytes)).await?;
    let result = state
        .db
        .read(move |conn| verification::copy(conn, report))
        .await?;
    if !wants_html(req.headers()) {
        return Ok(HttpResponse::Ok().json(result));
    }
    let mut data = serde_json::to_value(&result).map_err(AppError::internal)?;
    data["copy"] = json!(true);
    page(&state, StatusCode::OK, &data)
}

/// The PDF sent: the body itself, or a form's `file` field.
async fn received_pdf(req: &HttpRequest, payload: web::Payload) -> AppResult<Vec<u8>> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut bytes = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        let mut fields = Multipart::new(req.headers(), payload);
        while let Some(field) = fields.next().await {
            let field =
                field.map_err(|_| AppError::BadRequest("formulaire multipart illisible".into()))?;
            if field.name() == Some("file") {
                bytes = collect(field).await?;
                break;
            }
        }
    } else if content_type.starts_with("application/pdf") {
        bytes = collect(payload).await?;
    } else {
        return Err(AppError::UnsupportedMediaType(format!(
            "{content_type} (attendu : application/pdf, ou multipart/form-data avec le fichier dans le champ « file »)"
        )));
    }
    if !bytes
        .get(..1024)
        .unwrap_or(&bytes)
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Err(AppError::UnsupportedMediaType(
            "le fichier envoyé n'est pas un PDF".into(),
        ));
    }
    Ok(bytes)
}

/// The bytes of a body or a form field, refused past `COPY_LIMIT`.
async fn collect<E>(
    mut stream: impl futures_util::Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin,
) -> AppResult<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|_| AppError::BadRequest("envoi interrompu ou illisible".into()))?;
        if bytes.len() + chunk.len() > COPY_LIMIT {
            return Err(AppError::PayloadTooLarge { limit: COPY_LIMIT });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
