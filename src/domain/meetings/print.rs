//! What templates are given to print a meeting: the structure, the
//! committee, the meeting with its French dates, the chair and the agenda;
//! and a member as letters and e-mails address them.

use super::status::MeetingMode;
use crate::db::DbConn;
pub use crate::documents::model::{
    AgendaEntry, AnnexEntry, CaseOfficerContext, ChairContext, CommitteeContext, MeetingContext,
    MeetingText, MemberContext, StructureContext,
};
use crate::domain::Found;
use crate::domain::registry::gdpr::ANONYMIZED_NAME;
use crate::error::{AppError, AppResult};
use crate::french;
use crate::store::meetings::MeetingRow;
use crate::store::members::MemberRow;
use crate::store::{self, Scope};

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
    let structure = store::structures::find(conn, &scope, &meeting.structure_id).found()?;
    let committee = store::committees::find(conn, &scope, &meeting.committee_id).found()?;
    let chair = match &meeting.chair_member_id {
        Some(id) => {
            let (member, _) = store::members::find(conn, &scope, id).found()?;
            Some(ChairContext {
                display: display_name(&member),
                function: member.function.clone(),
            })
        }
        None => None,
    };
    let items = store::meetings::items(conn, &meeting.id)?;
    let annexes = store::annexes::of_meeting(conn, &meeting.id)?;
    let annexes_all_pdf = annexes
        .iter()
        .all(|(_, content, _)| content.media_type == "application/pdf");
    let annexes = annexes
        .into_iter()
        .enumerate()
        .map(|(index, (row, content, _))| AnnexEntry {
            number: (index + 1).to_string(),
            item: items
                .iter()
                .position(|i| Some(&i.id) == row.agenda_item_id.as_ref())
                .map(|index| (index + 1).to_string()),
            id: row.id,
            file_name: row.file_name,
            type_label: super::annex_files::type_label(&content.media_type).to_owned(),
            size_label: french::file_size(content.size),
            sha256: content.sha256,
        })
        .collect();
    let agenda = items
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
            letterhead: serde_json::from_str(&structure.letterhead).map_err(|e| {
                AppError::internal(format!(
                    "letterhead of structure {} is not a JSON list of lines: {e}",
                    structure.id
                ))
            })?,
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
        annexes,
        annexes_all_pdf,
    })
}
