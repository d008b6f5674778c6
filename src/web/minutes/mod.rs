//! The minutes after the meeting: the editor (saved as a draft by a button
//! or, with htmx, a few seconds after typing stops), the preview and
//! submitting; the signatory's "À signer", returning with a comment and
//! signing; the signed documents, the revisions and the distribution.

mod documents;
mod editor;
mod signed;
mod signing;

use actix_web::web;

use super::paths::meeting_href;

/// `/reunions/{id}/compte-rendu`: the minutes' own page.
pub fn minutes_href(meeting_id: &str) -> String {
    format!("{}/compte-rendu", meeting_href(meeting_id))
}

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route(super::TO_SIGN, web::get().to(signing::queue))
        .route("/reunions/{id}/compte-rendu", web::get().to(editor::page))
        .route("/reunions/{id}/compte-rendu", web::post().to(editor::save))
        .route(
            "/reunions/{id}/compte-rendu/apercu",
            web::get().to(documents::preview),
        )
        .route(
            "/reunions/{id}/compte-rendu/document.{format}",
            web::get().to(documents::download),
        )
        .route(
            "/reunions/{id}/compte-rendu/signature",
            web::get().to(signing::page),
        )
        .route(
            "/reunions/{id}/compte-rendu/renvoyer",
            web::post().to(signing::return_to_draft),
        )
        .route(
            "/reunions/{id}/compte-rendu/signer",
            web::post().to(signing::sign),
        )
        .route(
            "/reunions/{id}/compte-rendu/revision",
            web::post().to(signed::revise),
        )
        .route(
            "/reunions/{id}/compte-rendu/diffusion",
            web::post().to(signed::distribute),
        );
}
