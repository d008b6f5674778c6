//! Signing the minutes and serving the compte-rendu, with the rendering
//! (the PDF takes about 100 ms) outside every transaction.

use actix_web::web;

use crate::auth::Caller;
use crate::documents::{self, Format, pdf::PdfEngine};
use crate::domain::minutes::signing::{self, Document, ToSign};
use crate::domain::minutes::{Minutes, SignRequest};
use crate::error::{AppError, AppResult};
use crate::signature::{Level, Signer};
use crate::state::AppState;
use crate::templates::Templates;

/// Every format of a document, with its bytes.
pub type Rendered = Vec<(Format, Vec<u8>)>;

/// Renders every format of the document being signed, in `Format::ALL`'s
/// order, the PDF signed (blocking: the time-stamping authority is asked).
pub fn render_signed(
    templates: &Templates,
    pdf: &PdfEngine,
    signer: &Signer,
    to_sign: &ToSign,
    public_url: &str,
) -> AppResult<(Rendered, Level)> {
    let document = &to_sign.document;
    let signatory = to_sign.signatory(format!("{public_url}/verify"));
    let mut level = Level::Basic;
    let mut rendered = Vec::new();
    for format in Format::ALL {
        let bytes = if format == Format::Pdf {
            let (bytes, placement) = documents::pdf_placed(pdf, document, signatory.time)?;
            let signed = signer
                .sign_pdf(&bytes, &signatory, placement)
                .map_err(|e| AppError::internal(format!("PAdES: {e}")))?;
            level = signed.level;
            signed.bytes
        } else {
            documents::render(templates, pdf, document, format, signatory.time)?
        };
        rendered.push((format, bytes));
    }
    Ok((rendered, level))
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
    let (rendered, level, to_sign) = web::block(move || {
        let public_url = &app.settings.public_url;
        render_signed(&app.templates, &app.pdf, &app.signer, &to_sign, public_url)
            .map(|(rendered, level)| (rendered, level, to_sign))
    })
    .await??;
    let who = caller.clone();
    state
        .db
        .write(move |conn| signing::store(conn, &who, &notices, to_sign, rendered, level))
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
