//! The answer link: `GET /rsvp/{token}` (a French page that changes
//! nothing), `POST /rsvp/{token}` (the page's form) and
//! `POST /api/v1/rsvp/{token}` (JSON). No account: the signed link is the
//! credential, so pages are neither cached nor referred.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder, get, post, route, web};
use serde::Deserialize;
use serde_json::json;

use super::extract::Json;
use super::problems::JsonBody;
use crate::domain::meetings::attendance::{AttendanceMode, Response};
use crate::domain::meetings::rsvp::{self, Answer, AnswerOutcome, LinkRefusal};
use crate::error::{AppError, AppResult, Problem};
use crate::state::AppState;

fn page_response(status: StatusCode) -> HttpResponseBuilder {
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Robots-Tag", "noindex, nofollow"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ));
    response
}

/// The page for a refused link: 400 (invalid), 410 (closed), or the
/// error's own status.
fn refusal_page(state: &AppState, refusal: &LinkRefusal) -> HttpResponse {
    let (status, title, message) = match refusal {
        LinkRefusal::Invalid => (
            StatusCode::BAD_REQUEST,
            "Lien non valable",
            "Ce lien de réponse n’est pas valable : il a pu être abîmé en étant copié, ou il a été retiré.",
        ),
        LinkRefusal::Closed(reason) => (StatusCode::GONE, "Réponses closes", *reason),
        LinkRefusal::Refused(err) => {
            let status = actix_web::ResponseError::status_code(err);
            (
                status,
                "Une erreur est survenue",
                "Votre réponse n’a pas pu être traitée. Réessayez dans quelques instants.",
            )
        }
    };
    if let LinkRefusal::Refused(err) = refusal {
        // Logs the cause when it is a server fault.
        let _ = actix_web::ResponseError::error_response(err);
    }
    let body = state
        .templates
        .render(
            "pages/link-error.html.hbs",
            &json!({ "title": title, "message": message, "structure_name": null }),
        )
        .unwrap_or_else(|_| {
            format!(
                "<!doctype html><html lang=\"fr\"><title>{title}</title><p>{message}</p></html>"
            )
        });
    page_response(status).body(body)
}

async fn render_page(
    state: &AppState,
    token: String,
    notice: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let notices = state.notices();
    let shown = state
        .db
        .read(move |conn| Ok(rsvp::page(conn, &notices, &token, notice)))
        .await?;
    Ok(match shown {
        Ok(data) => {
            page_response(status).body(state.templates.render("pages/rsvp.html.hbs", &data)?)
        }
        Err(refusal) => refusal_page(state, &refusal),
    })
}

/// The meeting and the current answer, with the form. Reads only: mail
/// scanners and previews may open it any number of times.
#[utoipa::path(tag = "rsvp", params(("token" = String, Path, description = "The signed link")), responses(
    (status = 200, description = "The answer page", content_type = "text/html"),
    (status = 400, description = "Forged or unknown link", content_type = "text/html"),
    (status = 410, description = "The meeting has started or was cancelled", content_type = "text/html"),
))]
// A HEAD is served as this GET without the page, as on every GET route
// (`crate::methods`).
#[route("/rsvp/{token}", method = "GET", method = "HEAD")]
pub async fn page(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    render_page(&state, token.into_inner(), None, StatusCode::OK).await
}

/// An annex of the meeting, for the member holding the link.
#[utoipa::path(tag = "rsvp", params(("token" = String, Path, description = "The signed link"), ("annex" = String, Path, description = "The annex")), responses(
    (status = 200, description = "The file, `Content-Disposition: attachment`", content_type = "application/octet-stream"),
    (status = 400, description = "Forged or unknown link", content_type = "text/html"),
    (status = 404, description = "No such annex for this meeting", content_type = "text/html"),
    (status = 410, description = "The meeting has started or was cancelled", content_type = "text/html"),
))]
#[get("/rsvp/{token}/annexes/{annex}")]
pub async fn annex(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (token, id) = path.into_inner();
    let (keys, now) = (state.keys.clone(), state.clock.now());
    let found = state
        .db
        .read(move |conn| Ok(rsvp::annex(conn, &keys, now, &token, &id)))
        .await?;
    Ok(match found {
        Ok(annex) => {
            let mut response = crate::service::annexes::download(&state, &annex);
            response.headers_mut().insert(
                actix_web::http::header::REFERRER_POLICY,
                actix_web::http::header::HeaderValue::from_static("no-referrer"),
            );
            response
        }
        Err(refusal) => refusal_page(&state, &refusal),
    })
}

/// The dossier for the member holding the link, as `kind` makes it.
async fn member_dossier(
    state: &AppState,
    token: String,
    kind: crate::service::dossier::Kind,
) -> AppResult<HttpResponse> {
    let (keys, now) = (state.keys.clone(), state.clock.now());
    let holder = state
        .db
        .read(move |conn| Ok(rsvp::holder(conn, &keys, now, &token)))
        .await?;
    match holder {
        Ok((structure_id, meeting_id, member_id)) => {
            let who = crate::service::dossier::For::Member {
                structure_id,
                member_id,
            };
            crate::service::dossier::make(state, meeting_id, who, kind).await
        }
        Err(refusal) => Ok(refusal_page(state, &refusal)),
    }
}

/// The dossier de séance (convocation, agenda, annexes, manifest) for the
/// member holding the link.
#[utoipa::path(tag = "rsvp", params(("token" = String, Path, description = "The signed link")), responses(
    (status = 200, description = "A ZIP, `Content-Disposition: attachment`", content_type = "application/zip"),
    (status = 400, description = "Forged or unknown link", content_type = "text/html"),
    (status = 410, description = "The meeting has started or was cancelled", content_type = "text/html"),
))]
#[get("/rsvp/{token}/dossier.zip")]
pub async fn dossier(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    member_dossier(
        &state,
        token.into_inner(),
        crate::service::dossier::Kind::Zip,
    )
    .await
}

/// The dossier de séance as one PDF, when every annex is a PDF, for the
/// member holding the link.
#[utoipa::path(tag = "rsvp", params(("token" = String, Path, description = "The signed link")), responses(
    (status = 200, description = "A PDF, `Content-Disposition: attachment`", content_type = "application/pdf"),
    (status = 400, description = "Forged or unknown link", content_type = "text/html"),
    (status = 409, description = "An annex is not a PDF", body = Problem, content_type = "application/problem+json"),
    (status = 410, description = "The meeting has started or was cancelled", content_type = "text/html"),
))]
#[get("/rsvp/{token}/dossier.pdf")]
pub async fn dossier_pdf(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    member_dossier(
        &state,
        token.into_inner(),
        crate::service::dossier::Kind::Pdf,
    )
    .await
}

/// The page's form.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AnswerForm {
    pub response: Option<String>,
    pub mode: Option<String>,
}

fn answer_of(form: &AnswerForm) -> Result<Answer, String> {
    let response = form
        .response
        .as_deref()
        .and_then(Response::parse)
        .filter(|r| *r != Response::Pending)
        .ok_or("Choisissez si vous participerez ou non.")?;
    let mode = match form.mode.as_deref().filter(|m| !m.is_empty()) {
        None => None,
        Some(mode) => Some(AttendanceMode::parse(mode).ok_or("Modalité inconnue.")?),
    };
    Ok(Answer { response, mode })
}

/// Records the answer in one transaction, rolled back whatever refuses it:
/// a refusal after a first write (the substitute's invitation failing to
/// render, say) leaves nothing behind, and the same click can be retried.
/// `work` returns the outcome, and whatever else the caller answers with.
async fn record<T, F>(state: &AppState, work: F) -> Result<(AnswerOutcome, T), LinkRefusal>
where
    F: FnOnce(&mut crate::db::DbConn) -> Result<(AnswerOutcome, T), LinkRefusal>
        + Clone
        + Send
        + 'static,
    T: Send + 'static,
{
    let recorded: (AnswerOutcome, T) = state.db.transact(work).await?;
    if recorded.0.substitute_invited {
        state.outbox_wake.notify_one();
    }
    Ok(recorded)
}

/// Records the answer from the page and shows it again, confirmed.
#[utoipa::path(tag = "rsvp", params(("token" = String, Path)), request_body(content = AnswerForm, content_type = "application/x-www-form-urlencoded"), responses(
    (status = 200, description = "Recorded; the page with a confirmation", content_type = "text/html"),
    (status = 400, description = "Forged or unknown link (the page), or an unreadable form", content(
        (String = "text/html"),
        (Problem = "application/problem+json"),
    )),
    (status = 410, description = "The meeting has started or was cancelled", content_type = "text/html"),
    (status = 413, description = "Form over the size limit", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Incomplete answer; the page says what is missing", content_type = "text/html"),
))]
#[post("/rsvp/{token}")]
pub async fn answer_form(
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let answer = match answer_of(&form) {
        Ok(answer) => answer,
        Err(message) => {
            return render_page(
                &state,
                token,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let (notices, link) = (state.notices(), token.clone());
    let recorded = record(&state, move |conn| {
        rsvp::answer_with_page(conn, &notices, &link, answer)
    })
    .await;
    match recorded {
        Ok((_, shown)) => Ok(page_response(StatusCode::OK)
            .body(state.templates.render("pages/rsvp.html.hbs", &shown)?)),
        Err(LinkRefusal::Refused(err @ AppError::Validation(_))) => {
            render_page(
                &state,
                token,
                rsvp::refusal_notice(&err),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(refusal) => Ok(refusal_page(&state, &refusal)),
    }
}

/// Records an answer (JSON). The same answer twice changes nothing.
#[utoipa::path(tag = "rsvp", params(("token" = String, Path)), request_body = Answer, responses(
    (status = 200, body = AnswerOutcome),
    JsonBody,
    (status = 400, description = "Forged or unknown link, or not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 410, description = "The meeting has started or was cancelled", body = Problem, content_type = "application/problem+json"),
))]
#[post("/rsvp/{token}")]
pub async fn answer_json(
    state: web::Data<AppState>,
    token: web::Path<String>,
    answer: Json<Answer>,
) -> AppResult<web::Json<AnswerOutcome>> {
    let (answer, notices, token) = (answer.into_inner()?, state.notices(), token.into_inner());
    let recorded = record(&state, move |conn| {
        Ok((rsvp::answer(conn, &notices, &token, answer)?, ()))
    })
    .await;
    match recorded {
        Ok((outcome, ())) => Ok(web::Json(outcome)),
        Err(LinkRefusal::Invalid) => {
            Err(AppError::BadRequest("lien de réponse non valable".into()))
        }
        Err(LinkRefusal::Closed(_)) => Err(AppError::Gone),
        Err(LinkRefusal::Refused(err)) => Err(err),
    }
}
