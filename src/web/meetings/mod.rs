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

use actix_web::web;

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

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route(super::MEETINGS, web::get().to(pages::list))
        .route(
            "/comites/{id}/reunions/nouvelle",
            web::get().to(edit::new_form),
        )
        .route(
            "/comites/{id}/reunions/nouvelle",
            web::post().to(edit::create),
        )
        .route("/reunions/{id}", web::get().to(pages::show))
        .route("/reunions/{id}/modifier", web::get().to(edit::edit_form))
        .route("/reunions/{id}/modifier", web::post().to(edit::update))
        .route("/reunions/{id}/annuler", web::get().to(pages::cancel_form))
        .route("/reunions/{id}/annuler", web::post().to(pages::cancel))
        .route("/reunions/{id}/tenue", web::post().to(attendance::hold))
        .route("/reunions/{id}/annexes", web::post().to(annexes::upload))
        .route("/reunions/{id}/dossier", web::get().to(annexes::dossier))
        .route(
            "/reunions/{id}/dossier.pdf",
            web::get().to(annexes::dossier_pdf),
        )
        .route(
            "/reunions/{id}/annexes/annoncer",
            web::post().to(annexes::announce),
        )
        .route(
            "/reunions/{id}/annexes/{annex}",
            web::get().to(annexes::download),
        )
        .route(
            "/reunions/{id}/annexes/{annex}/remplacer",
            web::get().to(annex_replace::form),
        )
        .route(
            "/reunions/{id}/annexes/{annex}/remplacer",
            web::post().to(annex_replace::replace),
        )
        .route(
            "/reunions/{id}/annexes/{annex}/supprimer",
            web::post().to(annexes::remove),
        )
        .route("/reunions/{id}/ordre-du-jour", web::post().to(agenda::add))
        .route(
            "/reunions/{id}/ordre-du-jour/{item}/modifier",
            web::get().to(agenda::edit_form),
        )
        .route(
            "/reunions/{id}/ordre-du-jour/{item}/modifier",
            web::post().to(agenda::update),
        )
        .route(
            "/reunions/{id}/ordre-du-jour/{item}/deplacer",
            web::post().to(agenda::shift),
        )
        .route(
            "/reunions/{id}/ordre-du-jour/{item}/retirer",
            web::post().to(agenda::remove),
        )
        .route(
            "/reunions/{id}/invitations",
            web::get().to(invitations::page),
        )
        .route(
            "/reunions/{id}/invitations",
            web::post().to(invitations::send),
        )
        .route(
            "/reunions/{id}/invitations/{invitation}/renvoyer",
            web::post().to(invitations::resend),
        )
        .route(
            "/reunions/{id}/relances",
            web::post().to(invitations::remind),
        )
        .route(
            "/reunions/{id}/convocations",
            web::get().to(invitations::letters),
        )
        .route("/reunions/{id}/presences", web::get().to(attendance::page))
        .route(
            "/reunions/{id}/presences",
            web::post().to(attendance::record_all),
        )
        .route(
            "/reunions/{id}/presences/{member}",
            web::post().to(attendance::record_one),
        );
}
