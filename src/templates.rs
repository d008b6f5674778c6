//! The templates every text is made from (`templates/`): compiled into the
//! binary, overridable file by file from `CLU_TEMPLATES_DIR`, rendered in
//! strict mode. HTML templates escape what they print; text templates
//! (subjects, plain-text bodies) print as is. Every rendered text is set in
//! French typography (`crate::french::typography`), the template's own
//! words and the data alike, so no template needs to care.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use handlebars::Handlebars;
use serde::Serialize;

use crate::error::AppError;
use crate::french::typography;

macro_rules! builtin {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),+]
    };
}

/// Every template, by its path under `templates/`.
pub const BUILTIN: &[(&str, &str)] = builtin![
    "email/invitation/subject.hbs",
    "email/invitation/body.txt.hbs",
    "email/invitation/body.html.hbs",
    "email/update/subject.hbs",
    "email/update/body.txt.hbs",
    "email/update/body.html.hbs",
    "email/cancellation/subject.hbs",
    "email/cancellation/body.txt.hbs",
    "email/cancellation/body.html.hbs",
    "email/reminder/subject.hbs",
    "email/reminder/body.txt.hbs",
    "email/reminder/body.html.hbs",
    "pages/rsvp.html.hbs",
    "pages/link-error.html.hbs",
    "documents/convocation.html.hbs",
    "documents/annual-report.html.hbs",
    "documents/compte-rendu.html.hbs",
    "documents/compte-rendu.md.hbs",
    "pages/verify.html.hbs",
    "email/distribution/subject.hbs",
    "email/distribution/body.txt.hbs",
    "email/distribution/body.html.hbs",
    "email/minutes-submitted/subject.hbs",
    "email/minutes-submitted/body.txt.hbs",
    "email/minutes-submitted/body.html.hbs",
    "email/minutes-returned/subject.hbs",
    "email/minutes-returned/body.txt.hbs",
    "email/minutes-returned/body.html.hbs",
    "email/minutes-signed/subject.hbs",
    "email/minutes-signed/body.txt.hbs",
    "email/minutes-signed/body.html.hbs",
    "email/reply-forward/subject.hbs",
    "email/reply-forward/body.txt.hbs",
    "email/reply-forward/body.html.hbs",
];

pub struct Templates {
    /// The handlebars templates, parsed once: at start when a file
    /// overrides a built-in (refused there if it does not parse), else on
    /// a thread of its own from the start, so that the server does not
    /// wait for them to listen.
    parsed: Arc<OnceLock<Result<Registries, String>>>,
    sources: Arc<[(&'static str, String)]>,
    /// The Typst sources of the PDFs, by their path under `templates/`.
    typst: Vec<(&'static str, String)>,
}

struct Registries {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
}

/// Parses every handlebars template.
fn parse(sources: &[(&'static str, String)]) -> Result<Registries, String> {
    let mut html = Handlebars::new();
    html.set_strict_mode(true);
    let mut text = Handlebars::new();
    text.set_strict_mode(true);
    text.register_escape_fn(handlebars::no_escape);
    for (name, source) in sources {
        let registry = if is_html(name) { &mut html } else { &mut text };
        registry
            .register_template_string(name, source)
            .map_err(|e| format!("modèle {name} invalide : {e}"))?;
    }
    Ok(Registries { html, text })
}

/// The compte-rendu's PDF.
pub const COMPTE_RENDU_TYP: &str = "documents/compte-rendu.typ";
/// The dossier de séance as one PDF.
pub const DOSSIER_TYP: &str = "documents/dossier.typ";
/// A document clu composes to attach to a meeting (the demo's annexes).
pub const ANNEXE_TYP: &str = "documents/annexe.typ";

const TYPST: &[(&str, &str)] = &[
    (
        COMPTE_RENDU_TYP,
        include_str!("../templates/documents/compte-rendu.typ"),
    ),
    (
        DOSSIER_TYP,
        include_str!("../templates/documents/dossier.typ"),
    ),
    (
        ANNEXE_TYP,
        include_str!("../templates/documents/annexe.typ"),
    ),
];

fn is_html(name: &str) -> bool {
    name.ends_with(".html.hbs")
}

impl Templates {
    /// The built-in templates, each replaced by the file of the same path
    /// under `overrides` when there is one. A template that does not parse
    /// is refused here, at start.
    pub fn load(overrides: Option<&Path>) -> Result<Self, String> {
        let mut sources = Vec::new();
        let mut overridden = false;
        for (name, builtin) in BUILTIN {
            let source = match overrides
                .map(|dir| dir.join(name))
                .filter(|path| path.is_file())
            {
                Some(path) => {
                    tracing::info!(template = name, path = %path.display(), "template overridden");
                    overridden = true;
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("modèle {} illisible : {e}", path.display()))?
                }
                None => (*builtin).to_owned(),
            };
            sources.push((*name, source));
        }
        let sources: Arc<[(&'static str, String)]> = sources.into();
        let parsed = Arc::new(OnceLock::new());
        if overridden {
            let _ = parsed.set(Ok(parse(&sources)?));
        } else {
            let (parsed, sources) = (Arc::clone(&parsed), Arc::clone(&sources));
            std::thread::spawn(move || parsed.get_or_init(|| parse(&sources)).is_ok());
        }
        let mut typst = Vec::new();
        for (name, builtin) in TYPST {
            let source = match overrides
                .map(|dir| dir.join(name))
                .filter(|path| path.is_file())
            {
                Some(path) => std::fs::read_to_string(&path)
                    .map_err(|e| format!("modèle {} illisible : {e}", path.display()))?,
                None => (*builtin).to_owned(),
            };
            typst.push((*name, source));
        }
        Ok(Self {
            parsed,
            sources,
            typst,
        })
    }

    /// Every Typst source, by its path under `templates/`.
    pub fn typst_sources(&self) -> &[(&'static str, String)] {
        &self.typst
    }

    pub fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String, AppError> {
        // Parsed by now but in the first instants after start; waits then.
        let parsed = self
            .parsed
            .get_or_init(|| parse(&self.sources))
            .as_ref()
            .map_err(|e| AppError::internal(e.clone()))?;
        let registry = if is_html(name) {
            &parsed.html
        } else {
            &parsed.text
        };
        let rendered = registry
            .render(name, data)
            .map_err(|e| AppError::internal(format!("template {name}: {e}")))?;
        Ok(if is_html(name) {
            typography::html(&rendered)
        } else {
            typography::text(&rendered)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_parse() {
        let templates = Templates::load(None).expect("templates");
        let parsed = templates.parsed.get_or_init(|| parse(&templates.sources));
        assert!(parsed.is_ok(), "{:?}", parsed.as_ref().err());
    }

    #[test]
    fn a_file_overrides_its_builtin_and_html_is_escaped() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("pages")).expect("dir");
        std::fs::write(
            dir.path().join("pages/link-error.html.hbs"),
            "<p>{{title}}</p>",
        )
        .expect("write");
        let templates = Templates::load(Some(dir.path())).expect("templates");
        let page = templates
            .render(
                "pages/link-error.html.hbs",
                &serde_json::json!({"title": "<script>", "message": "", "structure_name": null}),
            )
            .expect("render");
        assert_eq!(page, "<p>&lt;script&gt;</p>");
    }

    #[test]
    fn rendered_texts_are_set_in_french_typography() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("pages")).expect("dir");
        std::fs::write(
            dir.path().join("pages/link-error.html.hbs"),
            "<p>Titre : {{title}}</p>",
        )
        .expect("write");
        std::fs::create_dir_all(dir.path().join("email/reminder")).expect("dir");
        std::fs::write(
            dir.path().join("email/reminder/subject.hbs"),
            "Rappel : {{title}}",
        )
        .expect("write");
        let templates = Templates::load(Some(dir.path())).expect("templates");
        let data = serde_json::json!({"title": "la 1ère réunion ?", "message": "", "structure_name": null});
        assert_eq!(
            templates
                .render("pages/link-error.html.hbs", &data)
                .expect("render"),
            "<p>Titre\u{a0}: la 1<sup>re</sup> réunion\u{202f}?</p>"
        );
        assert_eq!(
            templates
                .render("email/reminder/subject.hbs", &data)
                .expect("render"),
            "Rappel\u{a0}: la 1re réunion\u{202f}?"
        );
    }

    #[test]
    fn a_broken_override_is_refused_at_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("pages")).expect("dir");
        std::fs::write(dir.path().join("pages/link-error.html.hbs"), "{{#if}}").expect("write");
        let err = Templates::load(Some(dir.path())).err().expect("refused");
        assert!(err.contains("pages/link-error.html.hbs"), "{err}");
    }
}
