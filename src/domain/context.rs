//! What templates are given to print a meeting: the structure, the
//! committee, the meeting with its French dates, the chair and the agenda;
//! and a member as letters and e-mails address them.

use serde::Serialize;

use super::gdpr::ANONYMIZED_NAME;
use super::meetings::MeetingMode;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::french;
use crate::store::meetings::MeetingRow;
use crate::store::members::MemberRow;
use crate::store::{self, Scope};

#[derive(Debug, Clone, Serialize)]
pub struct CaseOfficerContext {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StructureContext {
    pub name: String,
    pub service_name: String,
    pub city: String,
    pub letterhead: Vec<String>,
    pub case_officer: CaseOfficerContext,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitteeContext {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingText {
    pub title: String,
    /// "mercredi 20 décembre 2023".
    pub long_date: String,
    /// "Mercredi 20 décembre 2023", to open a line.
    pub long_date_capitalized: String,
    /// "14h30-16h30", as in a document's title.
    pub hours_span: String,
    /// "de 14h30 à 16h30".
    pub hours: String,
    pub start_time: String,
    pub end_time: String,
    pub location: Option<String>,
    pub mode: String,
    /// "en présentiel", "à distance"…
    pub mode_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChairContext {
    pub display: String,
    pub function: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaEntry {
    pub number: String,
    pub title: String,
    pub presenter: Option<String>,
    pub annex_label: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingContext {
    pub structure: StructureContext,
    pub committee: CommitteeContext,
    pub meeting: MeetingText,
    pub chair: Option<ChairContext>,
    pub agenda: Vec<AgendaEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberContext {
    /// "Mme Nathalie SIMON".
    pub display: String,
    /// "Madame,".
    pub salutation: String,
    /// "Madame", for "Je vous prie d'agréer, Madame, …".
    pub salutation_formula: String,
    pub function: Option<String>,
    pub organization: Option<String>,
}

/// "Mme Nathalie SIMON": the last name in capitals, as the documents print it.
pub fn display_name(member: &MemberRow) -> String {
    if member.anonymized_at.is_some() {
        return ANONYMIZED_NAME.to_owned();
    }
    let name = format!("{} {}", member.first_name, member.last_name.to_uppercase());
    match member.civility.as_deref() {
        Some(civility) => format!("{civility} {name}"),
        None => name,
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub fn member_context(member: &MemberRow, organization: Option<String>) -> MemberContext {
    let formula = match member.civility.as_deref() {
        Some("Mme") => "Madame",
        Some("M.") => "Monsieur",
        _ => "Madame, Monsieur",
    };
    MemberContext {
        display: display_name(member),
        salutation: format!("{formula},"),
        salutation_formula: formula.to_owned(),
        function: member.function.clone(),
        organization,
    }
}

pub fn meeting_context(conn: &mut DbConn, meeting: &MeetingRow) -> AppResult<MeetingContext> {
    let scope = Scope::Structure(meeting.structure_id.clone());
    let structure = store::structures::find(conn, &scope, &meeting.structure_id)?;
    let committee = store::committees::find(conn, &scope, &meeting.committee_id)?;
    let chair = match &meeting.chair_member_id {
        Some(id) => {
            let (member, _) = store::members::find(conn, &scope, id)?;
            Some(ChairContext {
                display: display_name(&member),
                function: member.function.clone(),
            })
        }
        None => None,
    };
    let agenda = store::meetings::items(conn, &meeting.id)?
        .into_iter()
        .enumerate()
        .map(|(index, item)| AgendaEntry {
            number: (index + 1).to_string(),
            title: item.title,
            presenter: item.presenter,
            annex_label: item.annex_label,
        })
        .collect();
    let (start, end) = (meeting.starts_at.and_utc(), meeting.ends_at.and_utc());
    let mode = MeetingMode::from_stored(&meeting.mode)?;
    Ok(MeetingContext {
        structure: StructureContext {
            letterhead: serde_json::from_str(&structure.letterhead).unwrap_or_default(),
            name: structure.name,
            service_name: structure.service_name,
            city: structure.city,
            case_officer: CaseOfficerContext {
                name: structure.case_officer_name,
                phone: structure.case_officer_phone,
                email: structure.case_officer_email,
            },
        },
        committee: CommitteeContext {
            name: committee.name,
        },
        meeting: MeetingText {
            title: meeting.title.clone(),
            long_date: french::long_date_of(start),
            long_date_capitalized: capitalized(&french::long_date_of(start)),
            hours_span: french::hours_span(start, end),
            hours: french::hours(start, end),
            start_time: french::time(start),
            end_time: french::time(end),
            location: meeting.location.clone(),
            mode: mode.as_str().into(),
            mode_label: mode.label().into(),
        },
        chair,
        agenda,
    })
}
