//! The demo meeting's two annexes, as the real compte-rendu has them, as
//! PDFs composed by clu (`templates/documents/annexe.typ`): the indicators
//! presented (annexe 1, their table) and the presentation of the Services
//! Publics + programme (annexe 2, text from the préfecture of the Aube's
//! presentation).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::db::DbConn;
use crate::documents::pdf::PdfEngine;
use crate::domain::indicators::Unit;
use crate::domain::indicators::annual_report::printed;
use crate::domain::meetings::annex_files::Upload;
use crate::domain::meetings::annexes::{self, Limits, Target};
use crate::error::AppResult;

const SERVICES_PUBLICS_PLUS: &str = include_str!("services-publics-plus.txt");

/// The demo's letterhead on both documents.
fn structure() -> Value {
    json!({
        "name": "Préfecture de la Haute-Marne",
        "letterhead": ["PRÉFET DE LA HAUTE-MARNE", "Liberté Égalité Fraternité"],
    })
}

/// A number as a French table prints it: decimal comma (the unit has its
/// own column).
fn french_number(value: f64) -> String {
    printed(value, Unit::Count)
}

/// Annexe 1: the indicators, their unit, target and results.
fn indicators() -> Value {
    let rows: Vec<Vec<String>> = super::INDICATORS
        .iter()
        .map(|(name, unit, _, target, values)| {
            let value = |period: &str| {
                values
                    .iter()
                    .find(|(p, _)| *p == period)
                    .map(|(_, v)| french_number(*v))
                    .unwrap_or_default()
            };
            let unit = match unit {
                Unit::Percent => "%",
                Unit::Days => "jours",
                Unit::PerMille => "‰",
                Unit::Count => "nombre",
            };
            vec![
                (*name).to_owned(),
                unit.to_owned(),
                french_number(*target),
                value("2021"),
                value("2022"),
            ]
        })
        .collect();
    json!({
        "structure": structure(),
        "title": "Indicateurs de qualité de service 2022",
        "subtitle": "Annexe 1 au compte-rendu du comité local des usagers",
        "blocks": [
            { "kind": "paragraph", "text": "Résultats mesurés sur le site de la préfecture, présentés au comité local des usagers, comparés à la cible de chaque indicateur." },
            { "kind": "table", "widths": [0, 48, 40, 40, 40],
              "header": ["Indicateur", "Unité", "Cible", "2021", "2022"],
              "rows": rows,
              "note": "Source : résultats trimestriels publiés sur place et en ligne (programme Services Publics +)." },
        ],
    })
}

/// Annexe 2: the presentation, read from its text: a title line, then
/// blocks separated by blank lines (a short line alone is a heading, `- `
/// lines a list, `1.` lines a numbered list whose indented lines continue
/// the item).
fn programme() -> Value {
    let mut lines = SERVICES_PUBLICS_PLUS.lines();
    let title = lines.next().unwrap_or_default().trim().to_owned();
    let text: Vec<&str> = lines.collect();
    let mut blocks = Vec::new();
    for block in text.join("\n").split("\n\n") {
        let block: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
        let Some(first) = block.first() else { continue };
        let items = |marker: fn(&str) -> Option<&str>| {
            let mut items: Vec<Vec<String>> = Vec::new();
            for line in &block {
                match marker(line) {
                    Some(rest) => items.push(vec![rest.trim().to_owned()]),
                    None => {
                        if let Some(item) = items.last_mut() {
                            item.push(line.trim().to_owned());
                        }
                    }
                }
            }
            items
        };
        blocks.push(if first.starts_with("- ") {
            json!({ "kind": "bullets", "items": items(|l| l.strip_prefix("- ")) })
        } else if first.starts_with("1. ") {
            json!({ "kind": "numbered", "items": items(numbered) })
        } else if block.len() == 1 && !first.ends_with('.') && first.len() < 80 {
            json!({ "kind": "heading", "text": first.trim() })
        } else {
            json!({ "kind": "paragraph", "text": block.join(" ") })
        });
    }
    json!({
        "structure": structure(),
        "title": title,
        "subtitle": "Annexe 2 au compte-rendu du comité local des usagers",
        "blocks": blocks,
    })
}

/// "2. La preuve" without its number; none for a line that is not an item.
fn numbered(line: &str) -> Option<&str> {
    let (number, rest) = line.split_once(". ")?;
    number.chars().all(|c| c.is_ascii_digit()).then_some(rest)
}

/// The two PDFs, composed before the demo's transaction (Typst takes a
/// moment): (file name, bytes).
pub fn compose(pdf: &PdfEngine, now: DateTime<Utc>) -> AppResult<[(&'static str, Vec<u8>); 2]> {
    Ok([
        (
            "annexe-1-indicateurs-2022.pdf",
            pdf.render_annex(&indicators(), now)?,
        ),
        (
            "annexe-2-services-publics-plus.pdf",
            pdf.render_annex(&programme(), now)?,
        ),
    ])
}

/// Attaches them to their items: `indicators` and `programme`.
pub fn attach(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    composed: &[(&'static str, Vec<u8>); 2],
    items: [&str; 2],
) -> AppResult<()> {
    let limits = Limits {
        file_bytes: 4 * 1024 * 1024,
        meeting_bytes: 8 * 1024 * 1024,
    };
    for (item, (name, bytes)) in items.into_iter().zip(composed) {
        let mut upload = Upload::new(name, limits.file_bytes);
        upload.push(bytes)?;
        let file = upload.finish()?;
        annexes::attach(
            conn,
            caller,
            now,
            &Target::AgendaItem(item.to_owned()),
            &file,
            limits,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_indicators_table_prints_french_numbers() {
        let table = &super::indicators()["blocks"][1];
        let first = &table["rows"][0];
        assert_eq!(first[0], "Taux d'appels décrochés aux horaires d'ouverture");
        assert_eq!(first[1], "%");
        assert_eq!(first[3], "88,4");
        assert_eq!(first[4], "91,96");
        assert_eq!(table["rows"].as_array().map(Vec::len), Some(4));
    }

    #[test]
    fn the_presentation_keeps_its_headings_lists_and_paragraphs() {
        let programme = super::programme();
        assert_eq!(
            programme["title"],
            "Présentation du programme « Services Publics + »"
        );
        let kinds: Vec<&str> = programme["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b["kind"].as_str())
            .collect();
        assert_eq!(kinds.first(), Some(&"paragraph"));
        assert!(kinds.contains(&"bullets"), "{kinds:?}");
        assert!(kinds.contains(&"heading"), "{kinds:?}");
        let numbered = programme["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|b| b["kind"] == "numbered")
            .cloned()
            .unwrap_or_default();
        // "1. La promesse" keeps its three indented lines under it.
        assert_eq!(numbered["items"][0].as_array().map(Vec::len), Some(4));
        assert_eq!(numbered["items"].as_array().map(Vec::len), Some(4));
    }
}
