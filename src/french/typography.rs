//! French typography, applied to every text clu prints (documents, e-mails,
//! pages), the users' own text included:
//!
//! - a narrow no-break space (U+202F) before `;`, `!`, `?` and `»`, and
//!   after `«` (replacing a plain space, or added inside « » when missing);
//! - a no-break space (U+00A0) before `:` (replacing a plain space; none is
//!   ever added, so `14:30` and `https://…` stay as they are);
//! - "n°" followed by a no-break space, and a narrow one in "100 %";
//! - French ordinals: "1ère" → "1re", "2ème" → "2e", "2nd" → "2d" (the
//!   Imprimerie nationale's abbreviations), in HTML as `1<sup>re</sup>`.
//!
//! Words holding a URL or an e-mail address are left untouched, and text
//! already set correctly comes out as it went in (the functions are
//! idempotent).

/// The narrow no-break space (espace fine insécable).
pub const NNBSP: char = '\u{202F}';
/// The no-break space (espace insécable).
pub const NBSP: char = '\u{A0}';

/// How the text is written out.
#[derive(Debug, Clone, Copy)]
struct Output {
    /// Escape `& < > " '` (the text is plain, the output HTML).
    escape: bool,
    /// Ordinal suffixes in `<sup>` (HTML, where markup is allowed).
    sup: bool,
}

/// Plain text set in French typography.
pub fn text(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    apply(
        input,
        Output {
            escape: false,
            sup: false,
        },
        &mut None,
        &mut out,
    );
    out
}

/// Plain text as HTML: escaped, set in French typography, ordinals in
/// `<sup>`. What the pages' `typo` filter prints.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    apply(
        input,
        Output {
            escape: true,
            sup: true,
        },
        &mut None,
        &mut out,
    );
    out
}

/// An HTML document with its text set in French typography: only the text
/// between tags is touched (never a tag, an attribute, a comment, a
/// `<style>`, `<script>` or `<textarea>`), and ordinals go in `<sup>`
/// except within `<title>`.
pub fn html(document: &str) -> String {
    let mut out = String::with_capacity(document.len() + 64);
    let mut last = None;
    let mut rest = document;
    let mut in_title = false;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            apply(rest, html_text(in_title), &mut last, &mut out);
            break;
        };
        apply(&rest[..open], html_text(in_title), &mut last, &mut out);
        rest = &rest[open..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(rest.len(), |i| i + 3)
        } else {
            let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let name = tag_name(&rest[..tag_end]);
            match name.as_str() {
                "style" | "script" | "textarea" | "pre" => {
                    let close = format!("</{name}");
                    rest.to_ascii_lowercase()
                        .find(&close)
                        .and_then(|at| rest[at..].find('>').map(|gt| at + gt + 1))
                        .unwrap_or(rest.len())
                }
                "title" => {
                    in_title = true;
                    tag_end
                }
                "/title" => {
                    in_title = false;
                    tag_end
                }
                _ => tag_end,
            }
        };
        out.push_str(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn html_text(in_title: bool) -> Output {
    Output {
        escape: false,
        sup: !in_title,
    }
}

/// `style` of `<style media="print">`, `/title` of `</title>`.
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Every string of a document's data set in French typography (the PDF's
/// template reads its text from the data).
pub fn json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            let set = text(s);
            if set != *s {
                *s = set;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(json),
        serde_json::Value::Object(map) => map.values_mut().for_each(json),
        _ => {}
    }
}

/// Which characters belong to a word holding a URL or an e-mail address.
fn protected(chars: &[char]) -> Vec<bool> {
    let mut flags = vec![false; chars.len()];
    let mut start = 0;
    while start < chars.len() {
        if chars[start].is_whitespace() {
            start += 1;
            continue;
        }
        let end = chars[start..]
            .iter()
            .position(|c| c.is_whitespace())
            .map_or(chars.len(), |n| start + n);
        let word: String = chars[start..end].iter().collect();
        if word.contains("://") || word.contains('@') || word.contains("www.") {
            flags[start..end].iter_mut().for_each(|f| *f = true);
        }
        start = end;
    }
    flags
}

/// Whether a line so far is only a Markdown block marker (`1.`, `-`,
/// `##`, `>`): the space after it is syntax, not a word's.
fn block_marker(line: &[char]) -> bool {
    let line: String = line.iter().collect();
    let marker = line.trim_start();
    let digits = marker.bytes().take_while(u8::is_ascii_digit).count();
    matches!(marker, "-" | "*" | "+" | ">")
        || (!marker.is_empty() && marker.len() <= 6 && marker.bytes().all(|b| b == b'#'))
        || (digits > 0 && matches!(&marker[digits..], "." | ")"))
}

fn is_space(c: Option<char>) -> bool {
    c.is_none_or(char::is_whitespace)
}

/// The French abbreviation of an ordinal's suffix, when `suffix` (as typed
/// after `number`) is one.
fn ordinal(number: &str, suffix: &str) -> Option<&'static str> {
    let suffix = suffix.to_lowercase();
    let first = number == "1";
    match suffix.as_str() {
        "er" | "ier" if first => Some("er"),
        "re" | "ère" | "ere" | "ière" | "iere" if first => Some("re"),
        "ers" | "iers" if first => Some("ers"),
        "res" | "ères" | "eres" | "ières" | "ieres" if first => Some("res"),
        "nd" if number == "2" => Some("d"),
        "nde" if number == "2" => Some("de"),
        "nds" if number == "2" => Some("ds"),
        "ndes" if number == "2" => Some("des"),
        "e" | "è" | "ème" | "eme" | "ième" | "ieme" if !first => Some("e"),
        "es" | "èmes" | "emes" | "ièmes" | "iemes" if !first => Some("es"),
        _ => None,
    }
}

fn push(out: &mut String, c: char, how: Output) {
    match c {
        '&' if how.escape => out.push_str("&amp;"),
        '<' if how.escape => out.push_str("&lt;"),
        '>' if how.escape => out.push_str("&gt;"),
        '"' if how.escape => out.push_str("&quot;"),
        '\'' if how.escape => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// Sets `input` into `out`; `last` is the last character written before it
/// (so text cut by inline tags is read as one).
fn apply(input: &str, how: Output, last: &mut Option<char>, out: &mut String) {
    let chars: Vec<char> = input.chars().collect();
    let guarded = protected(&chars);
    let n = chars.len();
    let emit = |c: char, last: &mut Option<char>, out: &mut String| {
        push(out, c, how);
        *last = Some(c);
    };
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_text = !is_space(*last);
        if c == ' ' {
            let j = chars[i..]
                .iter()
                .position(|c| *c != ' ')
                .map_or(n, |k| i + k);
            let following = chars.get(j).copied();
            let line_start = chars[..i]
                .iter()
                .rposition(|c| *c == '\n')
                .map_or(0, |n| n + 1);
            let after_text = after_text && !block_marker(&chars[line_start..i]);
            let space = match following {
                Some(';' | '!' | '?') if after_text && !guarded[j] => Some(NNBSP),
                Some(':') if after_text && !guarded[j] => Some(NBSP),
                Some('»') if after_text => Some(NNBSP),
                Some('%') if last.is_some_and(|c| c.is_ascii_digit()) => Some(NNBSP),
                _ if *last == Some('«') => Some(NNBSP),
                _ => None,
            };
            match space {
                Some(space) => emit(space, last, out),
                None => (i..j).for_each(|_| emit(' ', last, out)),
            }
            i = j;
            continue;
        }
        if guarded[i] {
            emit(c, last, out);
            i += 1;
            continue;
        }
        match c {
            '«' => {
                emit(c, last, out);
                if !is_space(next) {
                    emit(NNBSP, last, out);
                }
                i += 1;
            }
            '»' => {
                if after_text {
                    emit(NNBSP, last, out);
                }
                emit(c, last, out);
                i += 1;
            }
            'n' | 'N' if next == Some('°') && !last.is_some_and(char::is_alphanumeric) => {
                emit(c, last, out);
                emit('°', last, out);
                let mut k = i + 2;
                let spaces = chars[k..].iter().take_while(|c| **c == ' ').count();
                if chars.get(k + spaces).is_some_and(|c| c.is_alphanumeric()) {
                    emit(NBSP, last, out);
                    k += spaces;
                }
                i = k;
            }
            '0'..='9' if !last.is_some_and(|p| p.is_alphanumeric() || matches!(p, '.' | ',')) => {
                let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let letters = chars[i + digits..]
                    .iter()
                    .take_while(|c| c.is_alphabetic())
                    .count();
                let end = i + digits + letters;
                let number: String = chars[i..i + digits].iter().collect();
                let suffix: String = chars[i + digits..end].iter().collect();
                let closed = !chars.get(end).is_some_and(|c| c.is_alphanumeric());
                number.chars().for_each(|d| emit(d, last, out));
                match ordinal(&number, &suffix).filter(|_| closed && letters > 0) {
                    Some(abbreviation) => {
                        if how.sup {
                            out.push_str("<sup>");
                        }
                        abbreviation.chars().for_each(|a| emit(a, last, out));
                        if how.sup {
                            out.push_str("</sup>");
                        }
                        i = end;
                    }
                    None => i += digits,
                }
            }
            _ => {
                emit(c, last, out);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(input: &str) -> String {
        text(input).replace(NNBSP, "_").replace(NBSP, "~")
    }

    #[test]
    fn narrow_space_before_semicolon_exclamation_question() {
        assert_eq!(t("oui ; non"), "oui_; non");
        assert_eq!(t("Bravo !"), "Bravo_!");
        assert_eq!(t("Pourquoi ?"), "Pourquoi_?");
        assert_eq!(t("Quoi  ?!"), "Quoi_?!");
        assert_eq!(t("100 % des sites, 20 %"), "100_% des sites, 20_%");
        assert_eq!(t("taux %"), "taux %");
        // Never added where there was no space.
        assert_eq!(t("oui; non"), "oui; non");
    }

    #[test]
    fn no_break_space_before_colon_but_never_in_times_or_urls() {
        assert_eq!(
            t("Affaire suivie par : Mylène BÉGUÉ"),
            "Affaire suivie par~: Mylène BÉGUÉ"
        );
        assert_eq!(t("à 14:30"), "à 14:30");
        assert_eq!(
            t("voir https://clu.example.fr/verify/ab?x=1"),
            "voir https://clu.example.fr/verify/ab?x=1"
        );
        assert_eq!(t("Note:"), "Note:");
        // A line that starts with a colon keeps its indentation, and the
        // space after a Markdown list marker stays syntax.
        assert_eq!(t("\n : liste"), "\n : liste");
        assert_eq!(t("1. : x\n- ; y\n## ?"), "1. : x\n- ; y\n## ?");
    }

    #[test]
    fn guillemets_get_narrow_spaces_inside() {
        assert_eq!(t("UFC « Que Choisir »"), "UFC «_Que Choisir_»");
        assert_eq!(t("UFC «Que Choisir»"), "UFC «_Que Choisir_»");
        assert_eq!(t("«\u{a0}déjà\u{a0}»"), "«~déjà~»");
    }

    #[test]
    fn numero_is_followed_by_a_no_break_space() {
        assert_eq!(t("arrêté n° 12"), "arrêté n°~12");
        assert_eq!(t("arrêté n°12"), "arrêté n°~12");
        assert_eq!(t("N°3"), "N°~3");
        assert_eq!(t("un°1"), "un°1");
    }

    #[test]
    fn ordinals_become_french_abbreviations() {
        assert_eq!(t("la 1ère réunion"), "la 1re réunion");
        assert_eq!(t("le 1er comité, les 1ères"), "le 1er comité, les 1res");
        assert_eq!(t("le 2ème et le 3eme, le 4ième"), "le 2e et le 3e, le 4e");
        assert_eq!(t("le 2nd, la 2nde"), "le 2d, la 2de");
        assert_eq!(t("les 10èmes"), "les 10es");
        // Not ordinals: measures, codes, hexadecimal, a plain number.
        assert_eq!(t("14h30, 2e5, A2eme, 1e, 52"), "14h30, 2e5, A2eme, 1e, 52");
        assert_eq!(
            escape_html("la 1ère fois, le 2ème"),
            "la 1<sup>re</sup> fois, le 2<sup>e</sup>"
        );
    }

    #[test]
    fn urls_and_addresses_are_left_alone() {
        assert_eq!(t("écrire à «x»@exemple.fr"), "écrire à «x»@exemple.fr");
        assert_eq!(
            t("https://exemple.fr/1ere?n°=2 : ici"),
            "https://exemple.fr/1ere?n°=2~: ici"
        );
        assert_eq!(
            t("mylene.begue@haute-marne.gouv.fr ;"),
            "mylene.begue@haute-marne.gouv.fr_;"
        );
    }

    #[test]
    fn correct_text_is_unchanged_and_the_rules_are_idempotent() {
        for input in [
            "Participants\u{a0}: 12\u{202f}; «\u{202f}Que Choisir\u{202f}» n°\u{a0}3, 1re, 2e\u{202f}!",
            "UFC « Que Choisir » : 1ère réunion ; n°12 ? 2ème !",
            "",
            "   ",
        ] {
            let once = text(input);
            assert_eq!(text(&once), once, "{input}");
        }
        let right = "Participants\u{a0}: 12\u{202f}; «\u{202f}Que Choisir\u{202f}»";
        assert_eq!(text(right), right);
        assert_eq!(escape_html(&text("la 1ère")), escape_html("la 1ère"));
    }

    #[test]
    fn html_text_is_escaped_and_set() {
        assert_eq!(
            escape_html("<b>A & B</b> : « x »"),
            "&lt;b&gt;A &amp; B&lt;/b&gt;\u{a0}: «\u{202f}x\u{202f}»"
        );
    }

    #[test]
    fn html_documents_are_set_between_tags_only() {
        let doc = "<title>La 1ère : x</title><style>a :hover { color : red ; }</style>\
                   <p class=\"a : b\"><strong>Participants</strong> : la 1ère ; \
                   <a href=\"https://x.fr/?a=1\">« lien »</a></p><!-- n°1 : -->";
        assert_eq!(
            html(doc),
            "<title>La 1re\u{a0}: x</title><style>a :hover { color : red ; }</style>\
             <p class=\"a : b\"><strong>Participants</strong>\u{a0}: la 1<sup>re</sup>\u{202f}; \
             <a href=\"https://x.fr/?a=1\">«\u{202f}lien\u{202f}»</a></p><!-- n°1 : -->"
        );
        assert_eq!(html(&html(doc)), html(doc));
    }

    #[test]
    fn json_strings_are_set() {
        let mut data = serde_json::json!({"a": "x : y", "b": ["1ère"], "n": 3});
        json(&mut data);
        assert_eq!(
            data,
            serde_json::json!({"a": "x\u{a0}: y", "b": ["1re"], "n": 3})
        );
    }
}
