//! "Réunions": a committee's meetings (create, edit, cancel), the agenda,
//! the invitations and their delivery, the answers and the roll call.

mod agenda;
mod annex_replace;
mod annexes;
mod attendance;
pub mod context;
mod edit;
mod invitations;
mod pages;

use crate::methods::Pages;

use super::paths::meeting_href;
use crate::domain::meetings::{Meeting, MeetingStatus};

/// The DSFR badge of a status: what is left to do shows (minutes to write
/// in warning, to sign as new, done in success).
pub fn badge(status: MeetingStatus) -> &'static str {
    match status {
        MeetingStatus::Draft => "fr-badge--info",
        MeetingStatus::Convened | MeetingStatus::MinutesSigned => "fr-badge--success",
        MeetingStatus::Held | MeetingStatus::MinutesDraft => "fr-badge--warning",
        MeetingStatus::MinutesSubmitted => "fr-badge--new",
        MeetingStatus::Cancelled => "fr-badge--error",
    }
}

/// A meeting in a list (`templates/web/meetings/lines.html`).
pub struct MeetingLine {
    pub href: String,
    pub date: String,
    pub hours: String,
    pub title: String,
    pub committee: String,
    pub location: String,
    pub status: &'static str,
    pub badge: &'static str,
}

impl MeetingLine {
    pub fn of(meeting: Meeting) -> Self {
        Self::with_committee(meeting, String::new())
    }

    pub fn with_committee(meeting: Meeting, committee: String) -> Self {
        Self {
            href: meeting_href(&meeting.id),
            date: crate::french::long_date_of(meeting.starts_at),
            hours: crate::french::hours(meeting.starts_at, meeting.ends_at),
            title: meeting.title,
            committee,
            location: meeting.location.unwrap_or_default(),
            status: meeting.status.label(),
            badge: badge(meeting.status),
        }
    }
}

pub fn routes(config: &mut Pages) {
    config
        .get(super::MEETINGS, pages::list)
        .get("/comites/{id}/reunions/nouvelle", edit::new_form)
        .post("/comites/{id}/reunions/nouvelle", edit::create)
        .get("/reunions/{id}", pages::show)
        .get("/reunions/{id}/modifier", edit::edit_form)
        .post("/reunions/{id}/modifier", edit::update)
        .get("/reunions/{id}/annuler", pages::cancel_form)
        .post("/reunions/{id}/annuler", pages::cancel)
        .post("/reunions/{id}/tenue", attendance::hold)
        .post("/reunions/{id}/annexes", annexes::upload)
        .get("/reunions/{id}/dossier", annexes::dossier)
        .get("/reunions/{id}/dossier.pdf", annexes::dossier_pdf)
        .post("/reunions/{id}/annexes/annoncer", annexes::announce)
        .get("/reunions/{id}/annexes/{annex}", annexes::download)
        .get(
            "/reunions/{id}/annexes/{annex}/remplacer",
            annex_replace::form,
        )
        .post(
            "/reunions/{id}/annexes/{annex}/remplacer",
            annex_replace::replace,
        )
        .post("/reunions/{id}/annexes/{annex}/supprimer", annexes::remove)
        .post("/reunions/{id}/ordre-du-jour", agenda::add)
        .get(
            "/reunions/{id}/ordre-du-jour/{item}/modifier",
            agenda::edit_form,
        )
        .post(
            "/reunions/{id}/ordre-du-jour/{item}/modifier",
            agenda::update,
        )
        .post(
            "/reunions/{id}/ordre-du-jour/{item}/deplacer",
            agenda::shift,
        )
        .post(
            "/reunions/{id}/ordre-du-jour/{item}/retirer",
            agenda::remove,
        )
        .get("/reunions/{id}/invitations", invitations::page)
        .post("/reunions/{id}/invitations", invitations::send)
        .post(
            "/reunions/{id}/invitations/{invitation}/renvoyer",
            invitations::resend,
        )
        .post("/reunions/{id}/relances", invitations::remind)
        .get("/reunions/{id}/convocations", invitations::letters)
        .get("/reunions/{id}/presences", attendance::page)
        .post("/reunions/{id}/presences", attendance::record_all)
        .post("/reunions/{id}/presences/{member}", attendance::record_one);
}
