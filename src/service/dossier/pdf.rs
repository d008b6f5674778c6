//! The dossier de séance as one PDF, when every annex is a PDF: a cover
//! page (agenda, the pieces with their SHA-256), the convocation letters,
//! then each annex's own pages, embedded as they are (Typst reprints PDF
//! pages as vector content, nothing rasterised).

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use serde_json::json;
use typst::foundations::{Array, Bytes, Dict, IntoValue, Value};

use super::{For, Gathered, attachment, copy_annex, gather};
use crate::documents::pdf::{PdfEngine, to_typst};
use crate::domain::meetings::annexes::Annex;
use crate::domain::meetings::convocation::Letters;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

const PDF: &str = "application/pdf";

/// The dossier of a meeting as one PDF, or 409 when an annex is not a PDF
/// (the ZIP holds any type).
pub async fn download_pdf(
    state: &AppState,
    meeting_id: String,
    who: For,
) -> AppResult<HttpResponse> {
    let Gathered {
        letters,
        annexes,
        date,
    } = gather(state, meeting_id, who).await?;
    if let Some(other) = annexes.iter().find(|a| a.media_type != PDF) {
        return Err(AppError::Conflict(format!(
            "l’annexe « {} » est un fichier {} : le dossier ne tient en un seul PDF que si toutes les annexes sont des PDF ; téléchargez le dossier ZIP",
            other.file_name, other.type_label
        )));
    }
    let mut parts = Vec::with_capacity(annexes.len());
    for annex in annexes {
        let mut bytes = Vec::with_capacity(usize::try_from(annex.size).unwrap_or(0));
        copy_annex(state, &annex, &mut bytes).await?;
        parts.push((annex, bytes));
    }
    let (engine, at) = (Arc::clone(&state.pdf), state.clock.now());
    let bytes = web::block(move || render(&engine, &letters, parts, at))
        .await
        .map_err(|e| AppError::internal(format!("dossier PDF: {e}")))??;
    Ok(attachment(
        PDF,
        format!("dossier-de-seance-{date}.pdf"),
        bytes,
    ))
}

/// How many pages the annex has, or why it cannot be reprinted.
fn pages(annex: &Annex, bytes: &Bytes) -> AppResult<usize> {
    let unreadable = || {
        AppError::Conflict(format!(
            "l’annexe « {} » ne peut être reprise dans un PDF (fichier chiffré ou abîmé) : téléchargez le dossier ZIP",
            annex.file_name
        ))
    };
    let pdf = hayro_syntax::Pdf::new(Arc::new(bytes.clone())).map_err(|_| unreadable())?;
    match pdf.pages().len() {
        0 => Err(unreadable()),
        n => Ok(n),
    }
}

fn render(
    engine: &PdfEngine,
    letters: &Letters,
    parts: Vec<(Annex, Vec<u8>)>,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<Vec<u8>> {
    let data = serde_json::to_value(letters)
        .map_err(|e| AppError::internal(format!("dossier PDF: {e}")))?;
    let Value::Dict(mut inputs) = to_typst(&data) else {
        return Err(AppError::internal("dossier PDF: letters are not an object"));
    };
    let (mut pieces, mut embedded) = (Vec::new(), Array::new());
    for (index, (annex, bytes)) in parts.into_iter().enumerate() {
        let bytes = Bytes::new(bytes);
        let pages = pages(&annex, &bytes)?;
        let attached_to = annex
            .item_number
            .map_or_else(|| "la réunion".to_owned(), |n| format!("point {n}"));
        pieces.push(json!({
            "number": index + 1,
            "title": format!("{} ({attached_to})", annex.file_name),
            "pages": pages,
            "sha256": annex.sha256,
        }));
        let mut entry = Dict::new();
        entry.insert("number".into(), (index + 1).into_value());
        entry.insert("name".into(), annex.file_name.into_value());
        entry.insert("pages".into(), pages.into_value());
        entry.insert("data".into(), Value::Bytes(bytes));
        embedded.push(Value::Dict(entry));
    }
    inputs.insert("pieces".into(), to_typst(&json!(pieces)));
    inputs.insert("annexes".into(), Value::Array(embedded));
    engine.render_dossier(inputs, at)
}
