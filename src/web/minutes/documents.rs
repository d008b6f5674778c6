//! The compte-rendu as the staff read it: the HTML document shown in the
//! editor's preview (a draft is rendered anew, marked "PROJET"; a signed
//! revision is its stored bytes), and every format downloaded as a file.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::documents::Format;
use crate::error::AppError;
use crate::service;
use crate::state::AppState;
use crate::web::error::WebResult;
use crate::web::meetings::context::meeting;
use crate::web::session::Staff;

/// The document is a page of its own, its styles inline and no script:
/// it may only be framed by clu's own pages (the editor's preview).
const PREVIEW_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     font-src 'self'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'";

#[derive(Debug, Deserialize)]
pub struct Revision {
    pub revision: Option<i32>,
}

pub async fn preview(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let html =
        service::minutes::document(&state, &staff.caller, &id.into_inner(), None, Format::Html)
            .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Security-Policy", PREVIEW_POLICY))
        .content_type(Format::Html.content_type())
        .body(html))
}

pub async fn download(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    query: web::Query<Revision>,
) -> WebResult<HttpResponse> {
    let (id, format) = path.into_inner();
    let format = Format::parse(&format).ok_or(AppError::NotFound)?;
    let (meeting, _) = meeting(&state, &staff, id).await?;
    let bytes =
        service::minutes::document(&state, &staff.caller, &meeting.id, query.revision, format)
            .await?;
    let date = crate::clock::paris_date(meeting.starts_at);
    let revision = query
        .revision
        .map(|n| format!("-revision-{n}"))
        .unwrap_or_default();
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"compte-rendu-{date}{revision}.{}\"",
                format.as_str()
            ),
        ))
        .body(bytes))
}
