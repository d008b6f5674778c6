//! How the registry's records read on the pages: names, roles, answers,
//! attendance, in French.

use crate::domain::meetings::attendance::{AttendanceMode, Presence, Response};
use crate::domain::registry::history::{Invited, Seat};
use crate::domain::registry::members::Member;
use crate::domain::registry::memberships::MembershipRole;
use crate::domain::registry::organizations::OrganizationKind;

/// "Mme Anne TITULAIRE"; "Membre anonymisé" once anonymised.
pub fn member_name(member: &Member) -> String {
    let parts = [
        member.civility.map(|c| c.as_str().to_owned()),
        Some(member.first_name.clone()),
        Some(member.last_name.to_uppercase()),
    ];
    if member.anonymized_at.is_some() {
        return member.last_name.clone();
    }
    parts
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The notice after an import of `lines` lines.
pub fn imported(lines: i64) -> String {
    match lines {
        1 => "Import terminé : 1 membre importé.".to_owned(),
        n => format!("Import terminé : {n} membres importés."),
    }
}

pub fn role(role: MembershipRole) -> &'static str {
    match role {
        MembershipRole::Chair => "Présidence",
        MembershipRole::Secretary => "Référent qualité (secrétariat)",
        MembershipRole::Member => "Membre",
        MembershipRole::Guest => "Invité",
    }
}

pub fn kind(kind: OrganizationKind) -> &'static str {
    match kind {
        OrganizationKind::Association => "Association",
        OrganizationKind::PublicService => "Service public",
        OrganizationKind::Institution => "Institution",
        OrganizationKind::ElectedBody => "Élus",
        OrganizationKind::Other => "Autre",
    }
}

pub const KINDS: [OrganizationKind; 5] = [
    OrganizationKind::Association,
    OrganizationKind::PublicService,
    OrganizationKind::Institution,
    OrganizationKind::ElectedBody,
    OrganizationKind::Other,
];

fn answer(response: Response, mode: Option<AttendanceMode>) -> String {
    match (response, mode) {
        (Response::Pending, _) => "Sans réponse".into(),
        (Response::Declined, _) => "Ne viendra pas".into(),
        (Response::Accepted, Some(AttendanceMode::Remote)) => "Viendra (à distance)".into(),
        (Response::Accepted, Some(AttendanceMode::InPerson)) => "Viendra (sur place)".into(),
        (Response::Accepted, None) => "Viendra".into(),
    }
}

fn presence(presence: Presence) -> &'static str {
    match presence {
        Presence::Unknown => "Non relevée",
        Presence::Present => "Présent",
        Presence::Excused => "Excusé",
        Presence::Absent => "Absent",
    }
}

pub struct SeatRow {
    pub committee: String,
    pub role: &'static str,
    pub since: String,
    pub until: String,
}

impl From<Seat> for SeatRow {
    fn from(seat: Seat) -> Self {
        Self {
            committee: seat.committee_name,
            role: role(seat.role),
            since: seat.since.map(crate::french::date).unwrap_or_default(),
            until: seat.until.map(crate::french::date).unwrap_or_default(),
        }
    }
}

pub struct MeetingRow {
    pub date: String,
    pub title: String,
    pub status: &'static str,
    pub answer: String,
    pub presence: &'static str,
}

impl From<Invited> for MeetingRow {
    fn from(invited: Invited) -> Self {
        Self {
            date: crate::french::long_date_of(invited.starts_at),
            title: invited.title,
            status: invited.status.label(),
            answer: answer(invited.response, invited.mode),
            presence: presence(invited.presence),
        }
    }
}
