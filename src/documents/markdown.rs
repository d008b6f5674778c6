//! Text as the Markdown compte-rendu prints it: literally. The text
//! templates print values as they are, so a name such as `# Titre` or
//! `[ici](https://…)` would otherwise become a heading or a link, and a
//! line break in a table cell would cut the table.

use serde_json::Value;

/// Characters that start Markdown (and GFM) syntax anywhere in a line:
/// emphasis, code, links and images, HTML and autolinks, entities, tables,
/// strikethrough, headings and their closing `#`s.
const SPECIAL: [char; 12] = ['\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '#'];

/// Keys whose values are words the templates compare (`meeting.mode`) or
/// use as classes (`status`), never text typed by a user.
const WORDS: [&str; 2] = ["mode", "status"];

/// Escapes one line: leading blanks dropped (no indented code), a block
/// marker at its start (`-`, `+`, `=`, `1.`, `1)`) and every special
/// character anywhere backslash-escaped.
fn escape_line(line: &str, out: &mut String) {
    let line = line.trim_start_matches([' ', '\t']);
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let marker = if digits == 0 {
        line.starts_with(['-', '+', '=']).then_some(0)
    } else {
        line[digits..].starts_with(['.', ')']).then_some(digits)
    };
    for (index, c) in line.char_indices() {
        if Some(index) == marker || SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Text printed within a line (a name, a title, a table cell): its line
/// breaks become spaces.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_line(
        &text.replace("\r\n", " ").replace(['\r', '\n'], " "),
        &mut out,
    );
    out
}

/// A paragraph: its line breaks kept, each line escaped.
pub fn paragraph(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + 8);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        escape_line(line, &mut out);
    }
    out
}

/// The template data with every text escaped: paragraphs (`*_paragraphs`)
/// keep their line breaks, other texts are made one line.
pub fn escape_data(value: &mut Value) {
    escape_under(value, false);
}

fn escape_under(value: &mut Value, in_paragraphs: bool) {
    match value {
        Value::String(text) => {
            *text = if in_paragraphs {
                paragraph(text)
            } else {
                inline(text)
            };
        }
        Value::Array(items) => {
            for item in items {
                escape_under(item, in_paragraphs);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if !WORDS.contains(&key.as_str()) {
                    escape_under(item, key.ends_with("_paragraphs"));
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_printed_literally() {
        assert_eq!(
            inline("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(inline("[ici](http://x)"), "\\[ici\\](http://x)");
        assert_eq!(inline("# Titre\n## Autre"), "\\# Titre \\#\\# Autre");
        assert_eq!(inline("a | b"), "a \\| b");
        assert_eq!(
            paragraph("1. un\n- deux\n    code"),
            "1\\. un\n\\- deux\ncode"
        );
        // What French documents write most is left alone.
        assert_eq!(
            inline("M. Jean-Paul PIERRON, Président (UFC-Que Choisir) : 100 %"),
            "M. Jean-Paul PIERRON, Président (UFC-Que Choisir) : 100 %"
        );
    }

    #[test]
    fn words_compared_by_the_templates_are_kept() {
        let mut data = serde_json::json!({
            "meeting": {"mode": "in_person", "title": "a_b"},
            "body_paragraphs": ["x\n# y"],
        });
        escape_data(&mut data);
        assert_eq!(
            data,
            serde_json::json!({
                "meeting": {"mode": "in_person", "title": "a\\_b"},
                "body_paragraphs": ["x\n\\# y"],
            })
        );
    }
}
