//! The documents: their data model (`model`), their three formats —
//! HTML and Markdown from Handlebars templates, PDF from a Typst template —
//! and their fingerprint. This module only renders: what a document shows is
//! built by the domain.

mod markdown;
pub mod model;
pub mod pdf;
#[cfg(test)]
mod properties;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::templates::Templates;
pub use model::CompteRendu;

/// The formats of the compte-rendu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Pdf,
}

impl Format {
    /// Every format, in the order they are rendered and stored.
    pub const ALL: [Format; 3] = [Format::Html, Format::Markdown, Format::Pdf];

    /// The name stored beside the bytes and used in file names (`.md`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Markdown => "md",
            Self::Pdf => "pdf",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == value)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Pdf => "application/pdf",
        }
    }
}
/// One format of the compte-rendu.
pub fn render(
    templates: &Templates,
    pdf: &pdf::PdfEngine,
    document: &CompteRendu,
    format: Format,
    at: DateTime<Utc>,
) -> AppResult<Vec<u8>> {
    match format {
        Format::Html => Ok(templates
            .render("documents/compte-rendu.html.hbs", document)?
            .into_bytes()),
        Format::Markdown => {
            // Text templates print as is: the user's text is escaped here.
            let mut data: Value = serde_json::to_value(document).map_err(AppError::internal)?;
            markdown::escape_data(&mut data);
            Ok(templates
                .render("documents/compte-rendu.md.hbs", &data)?
                .into_bytes())
        }
        Format::Pdf => pdf_placed(pdf, document, at).map(|(bytes, _)| bytes),
    }
}

/// The PDF, with where its signature field goes.
pub fn pdf_placed(
    pdf: &pdf::PdfEngine,
    document: &CompteRendu,
    at: DateTime<Utc>,
) -> AppResult<(Vec<u8>, Option<crate::signature::Placement>)> {
    // The Typst template prints the data as text: set it here (the HTML
    // and Markdown are set as Templates render them).
    let mut data: Value = serde_json::to_value(document).map_err(AppError::internal)?;
    crate::french::typography::json(&mut data);
    pdf.render_placed(&data, at)
}

/// The hex SHA-256 of some bytes.
pub fn fingerprint(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes (a digest) in lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
