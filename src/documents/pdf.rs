//! PDF rendering in-process with Typst. The template reads the data from
//! `sys.inputs`, so no user text is ever pasted into markup; the fonts come
//! from typst-assets, embedded in the binary, so the output is the same on
//! every machine.

use std::sync::OnceLock;

use serde_json::Value as Json;
use typst::foundations::{Array, Dict, Value};
use typst_as_lib::{TypstEngine, TypstTemplateCollection};
use typst_layout::PagedDocument;

use crate::error::AppError;
use crate::signature::Placement;
use crate::templates::{ANNEXE_TYP, COMPTE_RENDU_TYP, DOSSIER_TYP, Templates};

/// The Typst engine, built at the first PDF: the fonts it parses would
/// otherwise stay resident in every process that never renders one.
pub struct PdfEngine {
    sources: Vec<(&'static str, String)>,
    engine: OnceLock<TypstEngine<TypstTemplateCollection>>,
}

/// What a PDF is for: archiving (PDF/A-2b when the document allows it), or
/// reading only (a dossier that reprints PDFs made elsewhere).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Archival,
    Plain,
}

/// A JSON object as Typst's `sys.inputs`.
fn dict(data: &Json) -> Dict {
    match to_typst(data) {
        Value::Dict(dict) => dict,
        _ => Dict::new(),
    }
}

/// JSON as Typst values: objects become dictionaries, null becomes none.
pub fn to_typst(value: &Json) -> Value {
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
    pub fn new(templates: &Templates) -> Self {
        Self {
            sources: templates.typst_sources().to_vec(),
            engine: OnceLock::new(),
        }
    }

    fn engine(&self) -> &TypstEngine<TypstTemplateCollection> {
        self.engine.get_or_init(|| {
            TypstEngine::builder()
                .with_static_source_file_resolver(
                    self.sources
                        .iter()
                        .map(|(name, source)| (*name, source.clone())),
                )
                .fonts(typst_assets::fonts())
                .build()
        })
    }

    /// The compte-rendu's PDF of `data`, dated `at` (PDF/A-2b, for
    /// archiving, when the document allows it).
    pub fn render(
        &self,
        data: &Json,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<u8>, AppError> {
        self.render_placed(data, at).map(|(bytes, _)| bytes)
    }

    /// The compte-rendu's PDF, with where its signature block is (the
    /// element labelled `<signature>`, from its top left to the label
    /// `<signature-end>` below the name), for the signature field.
    pub fn render_placed(
        &self,
        data: &Json,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Vec<u8>, Option<Placement>), AppError> {
        let document = self.document(COMPTE_RENDU_TYP, dict(data))?;
        let placement = signature_placement(&document);
        Ok((self.pdf(&document, at, Kind::Archival)?, placement))
    }

    /// A document clu composes to attach to a meeting: a title and blocks
    /// (see `templates/documents/annexe.typ`), PDF/A-2b like the minutes.
    pub fn render_annex(
        &self,
        data: &Json,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<u8>, AppError> {
        self.compile(ANNEXE_TYP, dict(data), at, Kind::Archival)
    }

    /// The dossier de séance's PDF, from `inputs` (which hold the annexes'
    /// bytes, so are not JSON).
    pub fn render_dossier(
        &self,
        inputs: Dict,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<u8>, AppError> {
        self.compile(DOSSIER_TYP, inputs, at, Kind::Plain)
    }

    fn compile(
        &self,
        template: &str,
        inputs: Dict,
        at: chrono::DateTime<chrono::Utc>,
        kind: Kind,
    ) -> Result<Vec<u8>, AppError> {
        let document = self.document(template, inputs)?;
        self.pdf(&document, at, kind)
    }

    fn document(&self, template: &str, inputs: Dict) -> Result<PagedDocument, AppError> {
        self.engine()
            .compile_with_input(template, inputs)
            .output
            .map_err(|e| AppError::internal(format!("typst: {e:?}")))
    }

    fn pdf(
        &self,
        document: &PagedDocument,
        at: chrono::DateTime<chrono::Utc>,
        kind: Kind,
    ) -> Result<Vec<u8>, AppError> {
        use chrono::{Datelike, Timelike};
        let timestamp = typst::foundations::Datetime::from_ymd_hms(
            at.year(),
            u8::try_from(at.month()).unwrap_or(1),
            u8::try_from(at.day()).unwrap_or(1),
            u8::try_from(at.hour()).unwrap_or(0),
            u8::try_from(at.minute()).unwrap_or(0),
            u8::try_from(at.second()).unwrap_or(0),
        )
        .map(typst_pdf::Timestamp::new_utc);
        let plain = typst_pdf::PdfOptions {
            timestamp,
            ..Default::default()
        };
        let plain_pdf = || {
            typst_pdf::pdf(document, &plain).map_err(|e| AppError::internal(format!("pdf: {e:?}")))
        };
        if kind == Kind::Plain {
            return plain_pdf();
        }
        let archival = typst_pdf::PdfOptions {
            timestamp,
            standards: typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
                .map_err(|e| AppError::internal(format!("pdf standard: {e:?}")))?,
            ..Default::default()
        };
        match typst_pdf::pdf(document, &archival) {
            Ok(bytes) => Ok(bytes),
            Err(err) => {
                tracing::warn!(error = ?err, "PDF/A-2b refused; plain PDF instead");
                plain_pdf()
            }
        }
    }
}

/// Where the signature block is: the positions of `<signature>` (its top
/// left) and `<signature-end>` (its bottom right), in PDF points from the
/// page's bottom left.
fn signature_placement(document: &PagedDocument) -> Option<Placement> {
    use typst::foundations::Label;
    use typst::introspection::Introspector;
    let introspector = document.introspector();
    let position = |name: &str| {
        let label = Label::new(typst::utils::PicoStr::intern(name))?;
        let element = Introspector::query_label(introspector.as_ref(), label).ok()?;
        introspector.position(element.location()?)
    };
    let (top, bottom) = (position("signature")?, position("signature-end")?);
    let page = document.pages().get(top.page.get() - 1)?;
    let height = page.frame.size().y.to_pt();
    let (left, right) = (top.point.x.to_pt(), bottom.point.x.to_pt());
    let (y_top, y_bottom) = (top.point.y.to_pt(), bottom.point.y.to_pt());
    (bottom.page == top.page && y_bottom > y_top && right > left).then_some(Placement {
        page: top.page.get(),
        rect: [
            left - 2.0,
            height - y_bottom - 4.0,
            right + 2.0,
            height - y_top + 2.0,
        ],
    })
}
