//! An action as the pages show it (a line of the plan's table) and as its
//! form carries it: read from the form's pairs (the sources are one
//! checkbox and one date per kind), shown again as typed when refused.

use chrono::NaiveDate;

use super::{action_href, badge};
use crate::domain::actions::{
    Action, ActionPatch, ActionStatus, NewAction, Source, SourceInput, SourceKind,
};
use crate::domain::meetings::Meeting;
use crate::web::form::{self, Errors};

/// A line of the plan's table (the columns of the seed's annex).
pub struct ActionLine {
    pub href: String,
    pub number: String,
    pub finding: String,
    pub reference: String,
    pub sources: Vec<String>,
    pub status: &'static str,
    pub badge: &'static str,
    pub overdue: bool,
    pub due: String,
    pub description: String,
    pub responsible: String,
    pub effective: &'static str,
    pub verification: String,
    pub cancel_reason: String,
    pub completed_on: String,
}

pub fn source_text(source: &Source) -> String {
    match source.date {
        Some(date) => format!("{} ({})", source.kind.label(), crate::french::date(date)),
        None => source.kind.label().to_owned(),
    }
}

impl ActionLine {
    pub fn of(action: &Action) -> Self {
        Self {
            href: action_href(&action.id),
            number: action.number.map(|n| n.to_string()).unwrap_or_default(),
            finding: action.finding.clone(),
            reference: action.reference.clone().unwrap_or_default(),
            sources: action.sources.iter().map(source_text).collect(),
            status: action.status.label(),
            badge: badge(action.status),
            overdue: action.overdue,
            due: action.due_date.map(crate::french::date).unwrap_or_default(),
            description: action.description.clone().unwrap_or_default(),
            responsible: action.responsible.clone().unwrap_or_default(),
            effective: match action.effective {
                Some(true) => "Oui",
                Some(false) => "Non",
                None => "",
            },
            verification: action.verification.clone().unwrap_or_default(),
            cancel_reason: action.cancel_reason.clone().unwrap_or_default(),
            completed_on: action
                .completed_on
                .map(crate::french::date)
                .unwrap_or_default(),
        }
    }
}

/// One kind of source in the form: its checkbox and its date.
pub struct SourceField {
    pub kind: &'static str,
    pub label: &'static str,
    pub checked: bool,
    pub date: String,
}

/// The action form as typed.
#[derive(Default)]
pub struct ActionForm {
    pub number: String,
    pub finding: String,
    pub reference: String,
    pub sources: Vec<SourceField>,
    pub status: String,
    pub due_date: String,
    pub description: String,
    pub responsible: String,
    /// "", "oui" or "non".
    pub effective: String,
    pub verification: String,
    pub meeting_id: String,
}

fn blank_sources() -> Vec<SourceField> {
    SourceKind::ALL
        .iter()
        .map(|kind| SourceField {
            kind: kind.as_str(),
            label: kind.label(),
            checked: false,
            date: String::new(),
        })
        .collect()
}

fn date_field(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl ActionForm {
    pub fn blank() -> Self {
        Self {
            sources: blank_sources(),
            status: ActionStatus::Planned.as_str().into(),
            ..Self::default()
        }
    }

    pub fn of(action: &Action) -> Self {
        let mut sources = blank_sources();
        for field in &mut sources {
            if let Some(source) = action
                .sources
                .iter()
                .find(|s| s.kind.as_str() == field.kind)
            {
                field.checked = true;
                field.date = date_field(source.date);
            }
        }
        Self {
            number: action.number.map(|n| n.to_string()).unwrap_or_default(),
            finding: action.finding.clone(),
            reference: action.reference.clone().unwrap_or_default(),
            sources,
            status: action.status.as_str().into(),
            due_date: date_field(action.due_date),
            description: action.description.clone().unwrap_or_default(),
            responsible: action.responsible.clone().unwrap_or_default(),
            effective: match action.effective {
                Some(true) => "oui".into(),
                Some(false) => "non".into(),
                None => String::new(),
            },
            verification: action.verification.clone().unwrap_or_default(),
            meeting_id: action.meeting_id.clone().unwrap_or_default(),
        }
    }

    /// The form's pairs (`source_survey=on`, `date_survey=2020-11-05`…).
    pub fn read(pairs: &[(String, String)]) -> Self {
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut sources = blank_sources();
        for field in &mut sources {
            field.checked = !value(&format!("source_{}", field.kind)).is_empty();
            field.date = value(&format!("date_{}", field.kind)).trim().to_owned();
        }
        Self {
            number: value("number"),
            finding: value("finding"),
            reference: value("reference"),
            sources,
            status: value("status"),
            due_date: value("due_date"),
            description: value("description"),
            responsible: value("responsible"),
            effective: value("effective"),
            verification: value("verification"),
            meeting_id: value("meeting_id"),
        }
    }

    /// The fields a form reads itself (numbers, dates, choices), before the
    /// domain checks the rest; every error is found at once.
    fn parsed(&self) -> Result<Parsed, Errors> {
        let mut errors = Vec::new();
        let number = match form::text(&self.number) {
            None => None,
            Some(n) => match n.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(("number", "Un numéro entier, par exemple 4."));
                    None
                }
            },
        };
        let date = |text: &str| match form::text(text) {
            None => Ok(None),
            Some(d) => NaiveDate::parse_from_str(&d, "%Y-%m-%d").map(Some),
        };
        let due_date = date(&self.due_date).unwrap_or_else(|_| {
            errors.push(("due_date", "Une date au format AAAA-MM-JJ."));
            None
        });
        let mut sources = Vec::new();
        for field in self.sources.iter().filter(|f| f.checked) {
            let kind = SourceKind::parse(field.kind).unwrap_or(SourceKind::LocalContext);
            let when = date(&field.date).unwrap_or_else(|_| {
                errors.push(("sources", "Les dates des sources au format AAAA-MM-JJ."));
                None
            });
            sources.push(SourceInput::Dated(Source { kind, date: when }));
        }
        let effective = match self.effective.as_str() {
            "oui" => Some(true),
            "non" => Some(false),
            _ => None,
        };
        if errors.is_empty() {
            Ok(Parsed {
                number,
                due_date,
                sources,
                effective,
            })
        } else {
            Err(many(&errors))
        }
    }

    pub fn new_action(&self) -> Result<NewAction, Errors> {
        let parsed = self.parsed()?;
        let status = match ActionStatus::parse(&self.status) {
            Some(status) if status != ActionStatus::Cancelled => status,
            _ => return Err(Errors::one("status", "Choisissez le statut de l’action.")),
        };
        Ok(NewAction {
            number: parsed.number,
            finding: self.finding.clone(),
            reference: form::text(&self.reference),
            sources: parsed.sources,
            status: Some(status),
            due_date: parsed.due_date,
            completed_on: None,
            description: form::text(&self.description),
            responsible: form::text(&self.responsible),
            effective: parsed.effective,
            verification: form::text(&self.verification),
            meeting_id: form::text(&self.meeting_id),
            discussed_in: Vec::new(),
        })
    }

    /// Every field but the status (changed on the action's page).
    pub fn patch(&self) -> Result<ActionPatch, Errors> {
        let parsed = self.parsed()?;
        Ok(ActionPatch {
            number: Some(parsed.number),
            finding: Some(self.finding.clone()),
            reference: Some(form::text(&self.reference)),
            sources: Some(parsed.sources),
            due_date: Some(parsed.due_date),
            description: Some(form::text(&self.description)),
            responsible: Some(form::text(&self.responsible)),
            effective: Some(parsed.effective),
            verification: Some(form::text(&self.verification)),
            meeting_id: Some(form::text(&self.meeting_id)),
            ..ActionPatch::default()
        })
    }
}

/// Several errors of the form's own reading, by field.
fn many(errors: &[(&str, &str)]) -> Errors {
    let errors = errors
        .iter()
        .map(|(field, message)| crate::error::FieldError::new(*field, *message))
        .collect();
    Errors::of(crate::error::AppError::Validation(errors)).unwrap_or_default()
}

struct Parsed {
    number: Option<i32>,
    due_date: Option<NaiveDate>,
    sources: Vec<SourceInput>,
    effective: Option<bool>,
}

/// The meetings to choose from, most recent first: (id, "20 décembre 2023 — title").
pub fn meeting_options(meetings: &[Meeting], blank: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), blank.to_owned()))
        .chain(meetings.iter().map(|m| {
            (
                m.id.clone(),
                format!(
                    "{} — {}",
                    crate::french::date(crate::clock::paris_date(m.starts_at)),
                    m.title
                ),
            )
        }))
        .collect()
}
