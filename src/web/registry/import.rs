//! Importing the registry from a CSV file, in two steps: the file is sent
//! (multipart) and checked by the API's dry run, which says line by line
//! what would be created, updated or refused; then, if nothing is refused,
//! the same bytes are imported for real (all or nothing).

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::StreamExt;
use serde::Deserialize;

use super::{IMPORT, MEMBERS, TRAIL};
use crate::auth::caller::need;
use crate::domain::registry::csv::CSV_LIMIT;
use crate::domain::registry::import::{self as member_import, ImportReport, LineOutcome};
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use crate::web::csrf::{self, CsrfForm};
use crate::web::error::{WebError, WebResult};
use crate::web::layout::{self, Layout, Nav};
use crate::web::session::{self, Staff, StaffCan};

/// The file input's name.
const FILE: &str = "fichier";
/// The confirmation carries the file in base64 (4/3 of it), urlencoded.
const CONFIRM_LIMIT: usize = CSV_LIMIT * 2;
/// A text field of the upload form (the token) is short.
const TEXT_LIMIT: usize = 256;
const MAX_PARTS: usize = 4;

/// What browsers call a `.csv` file: the API's two types, and the one
/// Windows gives it where a spreadsheet program is installed.
const CSV_TYPES: [&str; 3] = ["text/csv", "application/csv", "application/vnd.ms-excel"];

#[derive(Template)]
#[template(path = "web/registry/import.html")]
struct FormPage {
    layout: Layout,
    error: String,
}

fn form_page(staff: &Staff, error: String) -> FormPage {
    FormPage {
        layout: Layout::staff(
            staff,
            "Importer un fichier CSV",
            Nav::Registry,
            &[TRAIL, ("Membres", MEMBERS)],
        ),
        error,
    }
}

pub async fn form(StaffCan(staff, _): StaffCan<need::Write>) -> WebResult<HttpResponse> {
    Ok(layout::ok(&form_page(&staff, String::new()))?)
}

/// The uploaded file, once the token before it has been checked; `Err(message)`
/// when the file is missing or not a CSV.
async fn upload(mut multipart: Multipart, session: &Session) -> WebResult<Result<Vec<u8>, String>> {
    let unreadable = |_| AppError::BadRequest("formulaire illisible".into());
    let (mut checked, mut file, mut parts) = (false, None, 0);
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(unreadable)?;
        parts += 1;
        let name = field.name().unwrap_or_default().to_owned();
        if parts > MAX_PARTS {
            return Err(AppError::BadRequest("formulaire illisible".into()).into());
        }
        // The token comes first in the form: nothing else is read before it.
        if name != csrf::FIELD && !checked {
            return Err(WebError::Csrf);
        }
        let limit = if name == FILE { CSV_LIMIT } else { TEXT_LIMIT };
        let kind = field.content_type().map(|m| m.essence_str().to_owned());
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or_default()
            .to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > limit {
                return Err(AppError::PayloadTooLarge { limit }.into());
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == csrf::FIELD {
            checked = std::str::from_utf8(&bytes).is_ok_and(|t| session::csrf_matches(session, t));
        } else if name == FILE {
            file = Some(match kind.as_deref() {
                _ if filename.is_empty() && bytes.is_empty() => {
                    Err("Choisissez le fichier CSV à importer.".to_owned())
                }
                Some(kind) if CSV_TYPES.contains(&kind) => Ok(bytes),
                _ => Err(format!(
                    "« {filename} » n’est pas un fichier CSV : enregistrez le tableau au format CSV (.csv), puis recommencez."
                )),
            });
        }
    }
    if !checked {
        return Err(WebError::Csrf);
    }
    Ok(file.unwrap_or_else(|| Err("Choisissez le fichier CSV à importer.".to_owned())))
}

pub struct LineRow {
    pub line: u64,
    pub name: String,
    pub organization: String,
    pub outcome: &'static str,
}

/// A refused line and why.
pub struct Refusal {
    pub line: String,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "web/registry/import_report.html")]
struct ReportPage {
    layout: Layout,
    lines: Vec<LineRow>,
    refused: Vec<Refusal>,
    created: usize,
    updated: usize,
    unchanged: usize,
    organizations_created: usize,
    total: usize,
    /// The file, base64, for the confirmation.
    content: String,
}

fn field_label(field: &str) -> &str {
    match field {
        "civility" => "Civilité",
        "first_name" => "Prénom",
        "last_name" => "Nom",
        "function" => "Fonction",
        "organization" | "organization_id" => "Organisation",
        "email" => "Courriel",
        "phone" => "Téléphone",
        "header" => "En-tête",
        _ => "",
    }
}

/// The domain's line errors, one entry per line in the file's order.
fn refusals(errors: Vec<FieldError>) -> Vec<Refusal> {
    let mut refused: Vec<(Option<u64>, Vec<String>)> = Vec::new();
    for error in errors {
        let reason = match field_label(&error.field) {
            "" => error.message,
            label => format!("{label} : {}", error.message),
        };
        match refused.iter_mut().find(|(line, _)| *line == error.line) {
            Some((_, reasons)) => reasons.push(reason),
            None => refused.push((error.line, vec![reason])),
        }
    }
    refused.sort_by_key(|(line, _)| *line);
    refused
        .into_iter()
        .map(|(line, reasons)| Refusal {
            line: line.map_or_else(|| "—".to_owned(), |n| n.to_string()),
            reasons,
        })
        .collect()
}

fn report_page(
    staff: &Staff,
    body: &[u8],
    outcome: Result<ImportReport, Vec<FieldError>>,
) -> ReportPage {
    let mut page = ReportPage {
        layout: Layout::staff(
            staff,
            "Vérification du fichier",
            Nav::Registry,
            &[
                TRAIL,
                ("Membres", MEMBERS),
                ("Importer un fichier CSV", IMPORT),
            ],
        ),
        lines: Vec::new(),
        refused: Vec::new(),
        created: 0,
        updated: 0,
        unchanged: 0,
        organizations_created: 0,
        total: 0,
        content: STANDARD.encode(body),
    };
    match outcome {
        Ok(report) => {
            page.created = report.members_created;
            page.updated = report.members_updated;
            page.unchanged = report.members_unchanged;
            page.organizations_created = report.organizations_created;
            page.total = report.lines;
            page.lines = report
                .details
                .into_iter()
                .map(|d| LineRow {
                    line: d.line,
                    name: format!("{} {}", d.first_name, d.last_name),
                    organization: d.organization.unwrap_or_default(),
                    outcome: match d.outcome {
                        LineOutcome::Created => "Sera ajouté",
                        LineOutcome::Updated => "Sera mis à jour",
                        LineOutcome::Unchanged => "Déjà à jour",
                    },
                })
                .collect();
        }
        Err(errors) => page.refused = refusals(errors),
    }
    page
}

/// Runs the import (`dry_run`: in a rolled-back transaction); validation
/// errors are given back to be shown, any other error is an error page.
async fn run_import(
    state: &AppState,
    staff: &Staff,
    body: Vec<u8>,
    dry_run: bool,
) -> WebResult<Result<ImportReport, Vec<FieldError>>> {
    let (caller, now) = (staff.caller.clone(), state.clock.now());
    match state
        .db
        .write(move |conn| member_import::import(conn, &caller, now, &body, dry_run))
        .await
    {
        Ok(report) => Ok(Ok(report)),
        Err(AppError::Validation(errors)) => Ok(Err(errors)),
        Err(other) => Err(other.into()),
    }
}

/// `POST /registre/import/verification`: the dry run of the uploaded file.
pub async fn verify(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    session: Session,
    multipart: Multipart,
) -> WebResult<HttpResponse> {
    let body = match upload(multipart, &session).await? {
        Ok(body) => body,
        Err(message) => {
            let page = form_page(&staff, message);
            return Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?);
        }
    };
    let outcome = run_import(&state, &staff, body.clone(), true).await?;
    let status = if outcome.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(layout::page(status, &report_page(&staff, &body, outcome))?)
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    contenu: String,
}

/// `POST /registre/import`: the real import of the file checked.
pub async fn run(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    CsrfForm(confirm): CsrfForm<ConfirmForm, CONFIRM_LIMIT>,
) -> WebResult<HttpResponse> {
    let body = STANDARD
        .decode(confirm.contenu.trim())
        .map_err(|_| AppError::BadRequest("fichier illisible".into()))?;
    if body.len() > CSV_LIMIT {
        return Err(AppError::PayloadTooLarge { limit: CSV_LIMIT }.into());
    }
    match run_import(&state, &staff, body.clone(), false).await? {
        Ok(report) => Ok(layout::see_other(&format!(
            "{MEMBERS}?importe={}",
            report.lines
        ))),
        // The registry changed since the check: show what is refused now.
        Err(errors) => {
            let page = report_page(&staff, &body, Err(errors));
            Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_grouped_by_line_in_order() {
        let error = |line, field: &str| FieldError {
            line: Some(line),
            ..FieldError::new(field, "obligatoire")
        };
        let refused = refusals(vec![
            error(4, "last_name"),
            error(2, "email"),
            error(4, "first_name"),
        ]);
        assert_eq!(refused.len(), 2);
        assert_eq!(refused[0].line, "2");
        assert_eq!(
            refused[1].reasons,
            ["Nom : obligatoire", "Prénom : obligatoire"]
        );
    }
}
