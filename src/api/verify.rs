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
        Err(AppError::NotFound) => (
            StatusCode::NOT_FOUND,
            json!({"found": false, "sha256": wanted, "structure_name": null, "committee_name": null, "meeting_date": null, "revision": null, "format": null, "signer": null, "signed_at": null, "annex_name": null}),
        ),
        Err(err) => return Err(err),
    };
    let page = state.templates.render("pages/verify.html.hbs", &data)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page))
}
