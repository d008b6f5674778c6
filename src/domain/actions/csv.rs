//! The action plan as a spreadsheet: the columns of the "ACTIONS
//! CORRECTRICES / PLANS D'ACTIONS / VÉRIFICATIONS" table, `;`-separated,
//! UTF-8 with BOM so a French spreadsheet opens it right.

use chrono::NaiveDate;

use super::lifecycle::{Action, ActionStatus, SourceKind};
use crate::error::{AppError, AppResult};

/// The columns, in the order of the table in the compte-rendus.
pub const COLUMNS: [&str; 16] = [
    "N°",
    "Constats / écarts / dysfonctionnements",
    "Référentiel",
    "Contexte local",
    "Auto-diagnostic",
    "Enquête de satisfaction",
    "Audit interne",
    "Audit externe",
    "Action prévue",
    "Action en cours",
    "Action réalisée",
    "Échéance de réalisation",
    "Action efficace",
    "Nature du plan d'action",
    "Responsable",
    "Vérification de l'efficacité",
];

const SOURCE_COLUMNS: [SourceKind; 5] = [
    SourceKind::LocalContext,
    SourceKind::SelfAssessment,
    SourceKind::Survey,
    SourceKind::InternalAudit,
    SourceKind::ExternalAudit,
];

fn day(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn mark(set: bool) -> String {
    if set { "X".into() } else { String::new() }
}

fn row(action: &Action) -> Vec<String> {
    let mut cells = vec![
        action.number.map(|n| n.to_string()).unwrap_or_default(),
        action.finding.clone(),
        action.reference.clone().unwrap_or_default(),
    ];
    for kind in SOURCE_COLUMNS {
        cells.push(match action.sources.iter().find(|s| s.kind == kind) {
            Some(source) => source
                .date
                .map_or_else(|| "X".to_owned(), |d| format!("X ({})", day(d))),
            None => String::new(),
        });
    }
    cells.push(mark(action.status == ActionStatus::Planned));
    cells.push(mark(action.status == ActionStatus::InProgress));
    cells.push(mark(action.status == ActionStatus::Done));
    cells.push(action.due_date.map(day).unwrap_or_default());
    cells.push(match action.effective {
        Some(true) => "Oui".into(),
        Some(false) => "Non".into(),
        None => String::new(),
    });
    let mut description = action.description.clone().unwrap_or_default();
    if let (ActionStatus::Cancelled, Some(reason)) = (action.status, &action.cancel_reason) {
        if !description.is_empty() {
            description.push(' ');
        }
        description.push_str(&format!("[Action annulée : {reason}]"));
    }
    cells.push(description);
    cells.push(action.responsible.clone().unwrap_or_default());
    cells.push(action.verification.clone().unwrap_or_default());
    cells
}

pub fn render(actions: &[Action]) -> AppResult<Vec<u8>> {
    let failed = |e: csv::Error| AppError::internal(format!("csv: {e}"));
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(COLUMNS).map_err(failed)?;
    for action in actions {
        writer.write_record(row(action)).map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::internal(format!("csv: {e}")))
}
