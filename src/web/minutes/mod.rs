//! The minutes after the meeting: the editor (saved as a draft by a button
//! or, with htmx, a few seconds after typing stops), the preview and
//! submitting; the signatory's "À signer", returning with a comment and
//! signing; the signed documents, the revisions and the distribution.

mod documents;
mod editor;
mod signed;
mod signing;

use crate::methods::Pages;

use super::paths::meeting_href;

/// `/reunions/{id}/compte-rendu`: the minutes' own page.
pub fn minutes_href(meeting_id: &str) -> String {
    format!("{}/compte-rendu", meeting_href(meeting_id))
}

pub fn routes(config: &mut Pages) {
    config
        .get(super::TO_SIGN, signing::queue)
        .get("/reunions/{id}/compte-rendu", editor::page)
        .post("/reunions/{id}/compte-rendu", editor::save)
        .get("/reunions/{id}/compte-rendu/apercu", documents::preview)
        .get(
            "/reunions/{id}/compte-rendu/document.{format}",
            documents::download,
        )
        .get("/reunions/{id}/compte-rendu/signature", signing::page)
        .post(
            "/reunions/{id}/compte-rendu/renvoyer",
            signing::return_to_draft,
        )
        .post("/reunions/{id}/compte-rendu/signer", signing::sign)
        .post("/reunions/{id}/compte-rendu/revision", signed::revise)
        .post("/reunions/{id}/compte-rendu/diffusion", signed::distribute);
}
