//! Building the compte-rendu from the database: the meeting, its
//! attendance, its minutes, the action plan and the indicators, as the
//! documents print them.

use chrono::{DateTime, Utc};

use super::model::MinutesItem;
use crate::db::DbConn;
use crate::documents::model::{
    ActionLine, CompteRendu, IndicatorLine, LegendEntry, Person, Section, Signature, Signed,
};
use crate::domain::Found;
use crate::domain::actions::{self, ActionStatus};
use crate::domain::indicators::{self, Band, annual_report};
use crate::domain::meetings::print;
use crate::error::{AppError, AppResult};
use crate::french;
use crate::store::actions::ActionFilter;
use crate::store::meetings::MeetingRow;
use crate::store::minutes::MinutesRow;
use crate::store::{self, Scope};

/// Paragraphs of a text: blocks separated by blank lines, trimmed.
pub fn paragraphs(text: Option<&str>) -> Vec<String> {
    let text = text.unwrap_or_default().replace("\r\n", "\n");
    text.split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// "15:55" → "15h55".
pub fn closing_time_text(value: &str) -> String {
    value.replace(':', "h")
}

/// The meeting's year in France.
fn meeting_year(meeting: &MeetingRow) -> i32 {
    use chrono::Datelike;
    crate::clock::paris_date(meeting.starts_at.and_utc()).year()
}

/// Whether a value belongs in the indicator annex of a meeting of `year`:
/// the figures of that year and of the year before, as the Haute-Marne
/// committee of December 2023 presented those of 2022. A period is read by
/// its year ("2022", "2022-T3"); one that names none is left out.
pub fn in_annex(period: &str, year: i32) -> bool {
    period
        .get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .is_some_and(|y| y == year || y == year - 1)
}

/// Everything the compte-rendu of `minutes` shows. `signed_at` is the
/// signing instant (or, for a draft, the day it is printed).
pub fn build(
    conn: &mut DbConn,
    meeting: &MeetingRow,
    minutes: &MinutesRow,
    draft: bool,
    printed_at: DateTime<Utc>,
    public_url: &str,
) -> AppResult<CompteRendu> {
    let context = print::meeting_context(conn, meeting)?;
    let scope = Scope::Structure(meeting.structure_id.clone());
    let (mut participants, mut excused, mut absent) = (Vec::new(), Vec::new(), Vec::new());
    for (invitation, member) in store::invitations::of_meeting(conn, &meeting.id)? {
        if Some(&member.id) == meeting.chair_member_id.as_ref() {
            continue;
        }
        let organization = match &member.organization_id {
            Some(id) => Some(store::organizations::find(conn, &scope, id).found()?.name),
            None => None,
        };
        let person = Person {
            display: print::display_name(&member),
            organization,
            function: member
                .function
                .clone()
                .filter(|_| member.anonymized_at.is_none()),
            remote: invitation.mode.as_deref() == Some("remote"),
        };
        match (invitation.presence.as_str(), invitation.response.as_str()) {
            ("present", _) => participants.push(person),
            ("excused", _) | ("unknown", "declined") => excused.push(person),
            ("absent", _) => absent.push(person),
            _ => {}
        }
    }
    let agenda = store::meetings::items(conn, &meeting.id)?;
    let items: Vec<MinutesItem> =
        serde_json::from_str(&minutes.items).map_err(AppError::internal)?;
    let sections = agenda
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let written = items.iter().find(|i| i.agenda_item_id == item.id);
            Section {
                number: (index + 1).to_string(),
                title: item.title.clone(),
                body_paragraphs: paragraphs(written.and_then(|w| w.body.as_deref())),
                remarks_paragraphs: paragraphs(written.and_then(|w| w.remarks.as_deref())),
            }
        })
        .collect();
    let today = crate::clock::paris_date(printed_at);
    let action_lines = actions::list(
        conn,
        &scope,
        &meeting.committee_id,
        &ActionFilter::default(),
        today,
    )?
    .into_iter()
    .map(|action| ActionLine {
        number: action.number.map(|n| n.to_string()).unwrap_or_default(),
        finding: action.finding,
        reference: action.reference.unwrap_or_default(),
        status_label: match action.status {
            ActionStatus::Planned => "Prévue",
            ActionStatus::InProgress => "En cours",
            ActionStatus::Done => "Réalisée",
            ActionStatus::Cancelled => "Annulée",
        }
        .into(),
        due_date: action
            .due_date
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        responsible: action.responsible.unwrap_or_default(),
        effective_label: match action.effective {
            Some(true) => "Oui",
            Some(false) => "Non",
            None => "",
        }
        .into(),
        verification: action.verification.unwrap_or_default(),
    })
    .collect();
    let mut indicator_lines = Vec::new();
    let year = meeting_year(meeting);
    for indicator in indicators::list(conn, &scope, &meeting.committee_id)? {
        for value in indicator
            .values
            .iter()
            .filter(|v| in_annex(&v.period, year))
        {
            indicator_lines.push(IndicatorLine {
                name: indicator.name.clone(),
                period: value.period.clone(),
                value_text: annual_report::printed(value.value, indicator.unit),
                target_text: indicator
                    .target
                    .map(|t| annual_report::printed(t, indicator.unit))
                    .unwrap_or_default(),
                status: value
                    .status
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                status_label: value
                    .status
                    .map(|s| s.label().to_owned())
                    .unwrap_or_default(),
            });
        }
    }
    let signature = minutes.signer_name.as_ref().map(|name| Signature {
        delegation: minutes.signer_delegation.clone().unwrap_or_default(),
        function: minutes.signer_function.clone().unwrap_or_default(),
        name: name.clone(),
    });
    let signed = match (draft, &minutes.signer_name, minutes.signed_at) {
        (false, Some(name), Some(at)) => Some(Signed {
            by: name.clone(),
            at: format!(
                "{} à {}",
                french::date(crate::clock::paris_date(at.and_utc())),
                french::time(at.and_utc())
            ),
            revision: minutes.revision,
            verify_url: format!("{public_url}/verify"),
        }),
        _ => None,
    };
    Ok(CompteRendu {
        draft,
        revision: minutes.revision,
        document_date: french::date(today),
        has_remote: participants.iter().any(|p| p.remote),
        participants,
        excused,
        absent,
        opening_paragraphs: paragraphs(minutes.opening.as_deref()),
        sections,
        post_meeting_paragraphs: paragraphs(minutes.post_meeting_notes.as_deref()),
        closing_time: minutes.closing_time.as_deref().map(closing_time_text),
        signature,
        signed,
        actions: action_lines,
        indicators: indicator_lines,
        legend: [
            Band::OnTarget,
            Band::GapUnder25,
            Band::Gap25To50,
            Band::GapOver50,
        ]
        .into_iter()
        .map(|band| LegendEntry {
            status: band.as_str(),
            label: band.label(),
        })
        .collect(),
        meeting: context,
    })
}

#[cfg(test)]
mod tests {
    use super::in_annex;

    #[test]
    fn the_annex_holds_the_meetings_year_and_the_year_before() {
        assert!(in_annex("2023", 2023));
        assert!(in_annex("2022", 2023));
        assert!(in_annex("2022-T4", 2023));
        assert!(!in_annex("2021", 2023));
        assert!(!in_annex("2024", 2023), "not a value of the future");
        assert!(!in_annex("T1", 2023));
        assert!(!in_annex("", 2023));
    }
}
