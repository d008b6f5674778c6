//! The pages' own askama filters. A template uses them with
//! `use crate::web::filters;` in scope of its struct (askama looks custom
//! filters up in a module named `filters`):
//!
//! - `{{ text|typo }}`: display text (a heading, a label, a user's text in a
//!   table or a paragraph) escaped and set in French typography
//!   (`crate::french::typography`), ordinals in `<sup>`. Never on a form
//!   field's value: what the user typed comes back as typed.
//! - `{{ text|typo_plain }}`: the same without markup, for where tags are
//!   not allowed (`<title>`, `<option>`, an attribute); askama escapes it.

use std::fmt::Display;

use askama::filters::Safe;

use crate::french::typography;

/// Display text, escaped and set in French typography.
#[askama::filter_fn]
pub fn typo<T: Display>(value: T, _: &dyn askama::Values) -> askama::Result<Safe<String>> {
    Ok(Safe(typography::escape_html(&value.to_string())))
}

/// Display text set in French typography, without markup (still to be
/// escaped, which askama does).
#[askama::filter_fn]
pub fn typo_plain<T: Display>(value: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(typography::text(&value.to_string()))
}

#[cfg(test)]
mod tests {
    use askama::Template;

    use crate::web::filters;

    #[derive(Template)]
    #[template(
        source = "<h1>{{ title|typo }}</h1><option>{{ title|typo_plain }}</option><input value=\"{{ title }}\">",
        ext = "html"
    )]
    struct Page<'a> {
        title: &'a str,
    }

    #[test]
    fn the_filters_escape_and_set_the_text_and_leave_field_values_alone() {
        let page = Page {
            title: "<1ère> réunion : « bilan » ?",
        }
        .render()
        .expect("render");
        assert_eq!(
            page,
            "<h1>&lt;1<sup>re</sup>&gt; réunion\u{a0}: «\u{202f}bilan\u{202f}»\u{202f}?</h1>\
             <option>&#60;1re&#62; réunion\u{a0}: «\u{202f}bilan\u{202f}»\u{202f}?</option>\
             <input value=\"&#60;1ère&#62; réunion : « bilan » ?\">"
        );
    }
}
