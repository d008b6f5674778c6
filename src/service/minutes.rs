//! Signing the minutes and serving the compte-rendu, with the rendering
//! (the PDF takes about 100 ms) outside every transaction.

use actix_web::web;
use chrono::{DateTime, Utc};

use crate::auth::Caller;
use crate::documents::{self, CompteRendu, Format, pdf::PdfEngine};
use crate::domain::minutes::signing::{self, Document};
use crate::domain::minutes::{Minutes, SignRequest};
use crate::error::AppResult;
use crate::state::AppState;
use crate::templates::Templates;

/// Renders every format of a document, in `Format::ALL`'s order.
pub fn render_all(
    templates: &Templates,
    pdf: &PdfEngine,
    document: &CompteRendu,
    at: DateTime<Utc>,
) -> AppResult<Vec<(Format, Vec<u8>)>> {
    Format::ALL
        .into_iter()
        .map(|format| {
            Ok((
                format,
                documents::render(templates, pdf, document, format, at)?,
            ))
        })
        .collect()
}

/// Signs the submitted minutes: who signs is checked, then the password
/// (throttled, failures audited), then the document is gathered, rendered
/// and stored if the minutes did not change meanwhile.
pub async fn sign(
    state: &AppState,
    caller: &Caller,
    meeting_id: &str,
    request: SignRequest,
) -> AppResult<Minutes> {
    let (who, id) = (caller.clone(), meeting_id.to_owned());
    state
        .db
        .read(move |conn| signing::check_signer(conn, &who, &id))
        .await?;
    crate::service::auth::reauthenticate(state, caller, request.password.clone(), "sign").await?;
    let notices = state.notices();
    let now = notices.now;
    let (who, id, public_url) = (
        caller.clone(),
        meeting_id.to_owned(),
        state.settings.public_url.clone(),
    );
    let to_sign = state
        .db
        .read(move |conn| signing::prepare(conn, &who, now, &id, &request, &public_url))
        .await?;
    let app = state.clone();
    let document = to_sign.document.clone();
    let rendered =
        web::block(move || render_all(&app.templates, &app.pdf, &document, now)).await??;
    let who = caller.clone();
    state
        .db
        .write(move |conn| signing::store(conn, &who, &notices, to_sign, rendered))
        .await
}

/// A document of the meeting: a signed revision's stored bytes, or the
/// current draft rendered anew (marked "PROJET").
pub async fn document(
    state: &AppState,
    caller: &Caller,
    meeting_id: &str,
    revision: Option<i32>,
    format: Format,
) -> AppResult<Vec<u8>> {
    let (scope, id, now) = (caller.scope(), meeting_id.to_owned(), state.clock.now());
    let public_url = state.settings.public_url.clone();
    let found = state
        .db
        .read(move |conn| signing::document(conn, &scope, &id, revision, format, now, &public_url))
        .await?;
    match found {
        Document::Signed(bytes) => Ok(bytes),
        Document::Draft(draft) => {
            let app = state.clone();
            web::block(move || documents::render(&app.templates, &app.pdf, &draft, format, now))
                .await?
        }
    }
}
