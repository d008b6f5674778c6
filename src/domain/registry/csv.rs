//! Members as CSV, the way French spreadsheets write it: UTF-8 with or
//! without BOM (or Windows-1252), `;` or `,` separated, English or French
//! column names. Reading checks every line; errors carry the line number.

use chrono::{DateTime, Utc};

use super::members::{self, Civility, NewMember};
use crate::db::DbConn;
use crate::domain::text::fold;
use crate::domain::validate::Check;
use crate::error::{AppError, AppResult, FieldError};
use crate::store::Scope;
use crate::store::members::MemberFilter;

/// Largest CSV accepted.
pub const CSV_LIMIT: usize = 2 * 1024 * 1024;
pub const MAX_LINES: usize = 5000;

/// The columns, in the order they are exported.
pub const COLUMNS: [&str; 7] = [
    "civility",
    "first_name",
    "last_name",
    "function",
    "organization",
    "email",
    "phone",
];

/// One data line, checked; its organization named, not yet resolved.
pub struct Line {
    pub number: u64,
    pub member: NewMember,
    pub organization: Option<String>,
}

/// Which column holds what, from the header's (folded) names, English or French.
fn column_of(header: &str) -> Option<usize> {
    let index = match fold(header).as_str() {
        "civility" | "civilite" => 0,
        "first name" | "firstname" | "prenom" => 1,
        "last name" | "lastname" | "nom" | "nom de famille" => 2,
        "function" | "fonction" => 3,
        "organization" | "organisation" | "structure" => 4,
        "email" | "e mail" | "courriel" | "mail" | "adresse e mail" => 5,
        "phone" | "telephone" | "tel" => 6,
        _ => return None,
    };
    Some(index)
}

fn parse_civility(value: &str) -> Option<Civility> {
    match fold(value).as_str() {
        "m" | "mr" | "monsieur" => Some(Civility::Monsieur),
        "mme" | "madame" => Some(Civility::Madame),
        _ => None,
    }
}

/// The text of the file: UTF-8 (BOM dropped), or else Windows-1252, which is
/// what a spreadsheet's plain "CSV" export writes in France.
fn decode(body: &[u8]) -> String {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match std::str::from_utf8(body) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(body).0.into_owned(),
    }
}

fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() >= header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// The line (from 1) of the record starting at byte `offset`. The reader
/// may report a record as starting at the end of line of the one before,
/// so line ends there are skipped first.
fn line_at(text: &str, offset: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
}

fn line_error(line: u64, field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        line: Some(line),
        ..FieldError::new(field, message)
    }
}

/// Reads and checks every line; the errors name their line.
pub fn read_lines(body: &[u8], now: DateTime<Utc>) -> Result<Vec<Line>, Vec<FieldError>> {
    let text = decode(body);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(&text))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| vec![line_error(1, "header", format!("en-tête illisible : {e}"))])?
        .clone();
    let mut positions: [Option<usize>; 7] = [None; 7];
    for (index, header) in headers.iter().enumerate() {
        if let Some(column) = column_of(header) {
            positions[column].get_or_insert(index);
        }
    }
    let missing: Vec<&str> = [0, 1, 2]
        .iter()
        .filter(|c| positions[**c].is_none())
        .map(|c| COLUMNS[*c])
        .collect();
    if !missing.is_empty() {
        return Err(vec![line_error(
            1,
            "header",
            format!("colonnes manquantes : {}", missing.join(", ")),
        )]);
    }
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, |p| line_at(&text, p.byte()));
                errors.push(line_error(line, "line", format!("ligne illisible : {err}")));
                continue;
            }
        };
        let number = record.position().map_or(0, |p| line_at(&text, p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if lines.len() + errors.len() >= MAX_LINES {
            errors.push(line_error(
                number,
                "line",
                format!("au plus {MAX_LINES} lignes par import"),
            ));
            break;
        }
        let cell = |column: usize| {
            positions[column]
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let optional = |column: usize| Some(cell(column)).filter(|v| !v.is_empty());
        let civility = parse_civility(&cell(0));
        let mut check = Check::new();
        if civility.is_none() {
            check.add("civility", "civilité attendue : M. ou Mme");
        }
        let organization = optional(4).map(|name| check.text("organization", &name, 1, 200));
        // The member's own fields, checked as the API checks them.
        let mut row = members::new_row(
            "",
            NewMember {
                civility: civility.unwrap_or(Civility::Monsieur),
                first_name: cell(1),
                last_name: cell(2),
                function: optional(3),
                organization_id: None,
                email: optional(5),
                phone: optional(6),
            },
            now,
        );
        members::check_fields(&mut row, &mut check);
        let line_errors = check.take();
        if line_errors.is_empty() {
            lines.push(Line {
                number,
                member: NewMember {
                    civility: civility.unwrap_or(Civility::Monsieur),
                    first_name: row.first_name,
                    last_name: row.last_name,
                    function: row.function,
                    organization_id: None,
                    email: row.email,
                    phone: row.phone,
                },
                organization,
            });
        } else {
            errors.extend(line_errors.into_iter().map(|e| FieldError {
                line: Some(number),
                ..e
            }));
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// The caller's current members as CSV (UTF-8 with BOM, `;`), in the
/// columns the import reads.
pub fn export(conn: &mut DbConn, scope: &Scope) -> AppResult<Vec<u8>> {
    let (members, _) = members::list(conn, scope, &MemberFilter::default(), None)?;
    write_csv(members.iter().map(|member| {
        [
            member.civility.map_or("", Civility::as_str),
            &member.first_name,
            &member.last_name,
            member.function.as_deref().unwrap_or_default(),
            member.organization.as_ref().map_or("", |o| o.name.as_str()),
            member.email.as_deref().unwrap_or_default(),
            member.phone.as_deref().unwrap_or_default(),
        ]
    }))
    .map_err(|e| AppError::internal(format!("csv: {e}")))
}

/// The header and `lines` (cells in the order of `COLUMNS`) as CSV: UTF-8
/// with BOM, `;`, CRLF, quoted where needed. Kept apart from the database
/// so that the format can be checked against `read_lines` alone.
fn write_csv<'a>(lines: impl IntoIterator<Item = [&'a str; 7]>) -> Result<Vec<u8>, String> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(COLUMNS).map_err(|e| e.to_string())?;
    for line in lines {
        writer.write_record(line).map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    fn error_lines(csv: &str) -> Vec<(u64, String)> {
        match read_lines(csv.as_bytes(), Utc::now()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .map(|e| (e.line.unwrap_or(0), e.field))
                .collect(),
        }
    }

    #[test]
    fn errors_carry_the_spreadsheet_line_number() {
        let csv = "civility;first_name;last_name\r\nM.;A;B\r\nDr;C;D\r\nM.;;E\r\n";
        assert_eq!(
            error_lines(csv),
            [(3, "civility".to_owned()), (4, "first_name".to_owned())]
        );
        let quoted = "civility;first_name;last_name;function\nM.;A;B;\"deux\nlignes\"\nDr;C;D;\n";
        assert_eq!(error_lines(quoted), [(4, "civility".to_owned())]);
    }
}
