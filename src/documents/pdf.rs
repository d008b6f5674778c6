//! PDF rendering in-process with Typst. The template reads the data from
//! `sys.inputs`, so no user text is ever pasted into markup; the fonts come
//! from typst-assets, embedded in the binary, so the output is the same on
//! every machine.

use std::sync::OnceLock;

use serde_json::Value as Json;
use typst::foundations::{Array, Dict, Value};
use typst_as_lib::TypstEngine;
use typst_as_lib::TypstTemplateMainFile;
use typst_layout::PagedDocument;

use crate::error::AppError;

/// The Typst engine, built at the first PDF: the fonts it parses would
/// otherwise stay resident in every process that never renders one.
pub struct PdfEngine {
    template: String,
    engine: OnceLock<TypstEngine<TypstTemplateMainFile>>,
}

/// JSON as Typst values: objects become dictionaries, null becomes none.
fn to_typst(value: &Json) -> Value {
    match value {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or_default()),
        },
        Json::String(s) => Value::Str(s.as_str().into()),
        Json::Array(items) => Value::Array(items.iter().map(to_typst).collect::<Array>()),
        Json::Object(map) => {
            let mut dict = Dict::new();
            for (key, item) in map {
                dict.insert(key.as_str().into(), to_typst(item));
            }
            Value::Dict(dict)
        }
    }
}

impl PdfEngine {
    pub fn new(template: &str) -> Self {
        Self {
            template: template.to_owned(),
            engine: OnceLock::new(),
        }
    }

    fn engine(&self) -> &TypstEngine<TypstTemplateMainFile> {
        self.engine.get_or_init(|| {
            TypstEngine::builder()
                .main_file(self.template.clone())
                .fonts(typst_assets::fonts())
                .build()
        })
    }

    /// The PDF of `data`, dated `at` (PDF/A-2b, for archiving, when the
    /// document allows it).
    pub fn render(
        &self,
        data: &Json,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<u8>, AppError> {
        use chrono::{Datelike, Timelike};
        let inputs = match to_typst(data) {
            Value::Dict(dict) => dict,
            _ => Dict::new(),
        };
        let document: PagedDocument = self
            .engine()
            .compile_with_input(inputs)
            .output
            .map_err(|e| AppError::internal(format!("typst: {e:?}")))?;
        let timestamp = typst::foundations::Datetime::from_ymd_hms(
            at.year(),
            u8::try_from(at.month()).unwrap_or(1),
            u8::try_from(at.day()).unwrap_or(1),
            u8::try_from(at.hour()).unwrap_or(0),
            u8::try_from(at.minute()).unwrap_or(0),
            u8::try_from(at.second()).unwrap_or(0),
        )
        .map(typst_pdf::Timestamp::new_utc);
        let archival = typst_pdf::PdfOptions {
            timestamp,
            standards: typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
                .map_err(|e| AppError::internal(format!("pdf standard: {e:?}")))?,
            ..Default::default()
        };
        match typst_pdf::pdf(&document, &archival) {
            Ok(bytes) => Ok(bytes),
            Err(err) => {
                tracing::warn!(error = ?err, "PDF/A-2b refused; plain PDF instead");
                let plain = typst_pdf::PdfOptions {
                    timestamp,
                    ..Default::default()
                };
                typst_pdf::pdf(&document, &plain)
                    .map_err(|e| AppError::internal(format!("pdf: {e:?}")))
            }
        }
    }
}
