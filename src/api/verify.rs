//! `GET /verify/{sha256}`: is this a signed compte-rendu? JSON, or a French
//! page for a browser.

use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, HeaderMap};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde_json::json;

use crate::domain::minutes::verification::{self, Verification};
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
