//! Properties of the compte-rendu's rendering with hostile text in every
//! field: the HTML escapes it, the Markdown prints it literally, the PDF
//! renders it.
//!
//! The HTML and Markdown are compared with the rendering of a "twin"
//! document whose texts have each character replaced by `x` (white space
//! kept): any markup the text brings in shows as a difference in the tags
//! (HTML) or in the block structure and unescaped syntax (Markdown).

use std::sync::LazyLock;

use chrono::TimeZone;
use proptest::prelude::*;

mod fixture;

use fixture::{SCRIPT, document, hostile_text, printed, shape, twin};

use super::markdown;
use super::pdf::PdfEngine;
use super::*;

static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| Templates::load(None).expect("templates"));
static PDF: LazyLock<PdfEngine> = LazyLock::new(|| PdfEngine::new(&TEMPLATES));

fn render_text(document: &CompteRendu, format: Format) -> String {
    let at = Utc
        .with_ymd_and_hms(2024, 4, 8, 8, 12, 0)
        .single()
        .expect("date");
    let bytes = render(&TEMPLATES, &PDF, document, format, at).expect("rendered");
    String::from_utf8(bytes).expect("UTF-8")
}

/// The HTML tags of a page, in order, attributes included.
/// The tags of a page, but the `<sup>` of French ordinals ("1er"), which
/// typography adds to a text and its twin alike only where digits are.
fn tags(html: &str) -> Vec<&str> {
    html.match_indices('<')
        .map(|(start, _)| {
            let end = html[start..]
                .find('>')
                .map_or(html.len(), |e| start + e + 1);
            &html[start..end]
        })
        .filter(|tag| !matches!(*tag, "<sup>" | "</sup>"))
        .collect()
}

/// Whether the character at byte `index` is backslash-escaped.
fn escaped(line: &str, index: usize) -> bool {
    line[..index]
        .bytes()
        .rev()
        .take_while(|b| *b == b'\\')
        .count()
        % 2
        == 1
}

/// Markdown syntax in a line that is not backslash-escaped, by character.
fn live_syntax(line: &str) -> Vec<(char, usize)> {
    "`*_[]<>|~&#"
        .chars()
        .map(|c| {
            let live = line
                .match_indices(c)
                .filter(|(i, _)| !escaped(line, *i))
                .count();
            (c, live)
        })
        .collect()
}

/// What a line of Markdown starts, roughly as CommonMark reads it.
fn block_kind(line: &str) -> String {
    if line.trim().is_empty() {
        return "blank".into();
    }
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent >= 4 || line.trim_start_matches(' ').starts_with('\t') {
        return "code".into();
    }
    let rest = line.trim_start_matches(' ');
    let ends_marker = |s: &str| s.is_empty() || s.starts_with([' ', '\t']);
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    if (1..=6).contains(&hashes) && ends_marker(&rest[hashes..]) {
        return format!("heading {hashes}");
    }
    // Markdown's blanks are spaces and tabs: a no-break space is text.
    let compact: String = rest.chars().filter(|c| !matches!(c, ' ' | '\t')).collect();
    for mark in ['-', '*', '_', '='] {
        if compact.len() >= 3 && compact.chars().all(|c| c == mark) {
            return format!("rule {mark}");
        }
    }
    if compact.starts_with("```") || compact.starts_with("~~~") {
        return "fence".into();
    }
    if let Some(first) = rest.chars().next() {
        if matches!(first, '>' | '<' | '|') {
            return format!("starts {first}");
        }
        if matches!(first, '-' | '+' | '*' | '=') && ends_marker(&rest[1..]) {
            return format!("item {first}");
        }
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits)
        && rest[digits..].starts_with(['.', ')'])
        && ends_marker(&rest[digits + 1..])
    {
        return "ordered".into();
    }
    "text".into()
}

/// Backslash escapes removed: the text a Markdown reader shows.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Hostile text adds no tag and no attribute to the HTML: the page has
    /// exactly the tags of its twin; every text is there, escaped; every
    /// `&` starts an entity.
    #[test]
    fn html_escapes_hostile_text(
        texts in prop::collection::vec(hostile_text(), 1..40),
        shape in shape(3),
    ) {
        let committee = format!("Comité {SCRIPT} & Cie");
        let mut hostile = document(&texts, shape);
        hostile.meeting.committee.name = committee.clone();
        let twins: Vec<String> = texts.iter().map(|t| twin(t)).collect();
        let mut twin_document = document(&twins, shape);
        twin_document.meeting.committee.name = twin(&committee);
        let html = render_text(&hostile, Format::Html);
        let twin_html = render_text(&twin_document, Format::Html);
        prop_assert_eq!(tags(&html), tags(&twin_html));
        prop_assert!(!html.contains(SCRIPT));
        prop_assert!(html.contains("Comité &lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie"));
        // As printed: in French typography (ordinals raised), then escaped.
        let unraised = html.replace("<sup>", "").replace("</sup>", "");
        for text in printed(&hostile) {
            let escaped = handlebars::html_escape(&crate::french::typography::text(text));
            prop_assert!(unraised.contains(&escaped), "{:?} missing as {:?}", text, escaped);
        }
        for (index, _) in html.match_indices('&') {
            let entity = &html[index..];
            prop_assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#x3D;", "&#x60;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "bare & at {:?}",
                entity.chars().take(12).collect::<String>()
            );
        }
    }

    /// Hostile text adds no heading, list, quote, table row, code block,
    /// link, emphasis or HTML to the Markdown: line by line, the document
    /// starts the same blocks as its twin and holds the same unescaped
    /// syntax.
    #[test]
    fn markdown_prints_hostile_text_literally(
        texts in prop::collection::vec(hostile_text(), 1..40),
        shape in shape(3),
    ) {
        let markdown = render_text(&document(&texts, shape), Format::Markdown);
        let twins: Vec<String> = texts.iter().map(|t| twin(t)).collect();
        let twin_markdown = render_text(&document(&twins, shape), Format::Markdown);
        let lines: Vec<&str> = markdown.split('\n').collect();
        let twin_lines: Vec<&str> = twin_markdown.split('\n').collect();
        prop_assert_eq!(lines.len(), twin_lines.len());
        for (line, twin_line) in lines.iter().zip(&twin_lines) {
            prop_assert_eq!(block_kind(line), block_kind(twin_line), "{:?} / {:?}", line, twin_line);
            prop_assert_eq!(live_syntax(line), live_syntax(twin_line), "{:?} / {:?}", line, twin_line);
        }
    }

    /// Escaping loses nothing: a reader shows the text (line breaks of a
    /// one-line text as spaces, leading blanks of a line dropped), and no
    /// line starts a block.
    #[test]
    fn markdown_escaping_shows_the_text(text in prop_oneof![hostile_text(), any::<String>()]) {
        let one_line = markdown::inline(&text);
        prop_assert!(!one_line.contains(['\n', '\r']));
        let flat = text.replace("\r\n", " ").replace(['\r', '\n'], " ");
        prop_assert_eq!(unescape(&one_line), flat.trim_start_matches([' ', '\t']));
        prop_assert_eq!(block_kind(&one_line), if one_line.trim().is_empty() { "blank" } else { "text" });
        let paragraph = markdown::paragraph(&text);
        let expected: Vec<String> = text
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .split('\n')
            .map(|l| l.trim_start_matches([' ', '\t']).to_owned())
            .collect();
        let shown: Vec<String> = paragraph.split('\n').map(unescape).collect();
        prop_assert_eq!(shown, expected);
        for line in paragraph.split('\n') {
            prop_assert!(matches!(block_kind(line).as_str(), "blank" | "text"), "{:?}", line);
        }
    }
}

proptest! {
    // A PDF takes a second or more unoptimised.
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Typst prints hostile text as text: the PDF renders, whatever it is.
    #[test]
    fn pdf_renders_hostile_text(
        texts in prop::collection::vec(hostile_text(), 1..30),
        shape in shape(2),
    ) {
        let at = Utc
            .with_ymd_and_hms(2024, 4, 8, 8, 12, 0)
            .single()
            .expect("date");
        let pdf = render(&TEMPLATES, &PDF, &document(&texts, shape), Format::Pdf, at);
        let pdf = match pdf {
            Ok(pdf) => pdf,
            Err(err) => return Err(TestCaseError::fail(format!("{err:?}"))),
        };
        prop_assert!(pdf.starts_with(b"%PDF-"));
    }
}
