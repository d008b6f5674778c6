//! "Plans d’action": each committee's action plan (the columns of the
//! seed's annex), its filters, create and edit, each action's page with
//! its status changes and its history, the CSV export.

mod edit;
mod fields;
mod plans;
mod show;

use actix_web::web;

use crate::domain::actions::ActionStatus;

/// An action's page.
pub fn action_href(id: &str) -> String {
    format!("{}/{id}", super::ACTIONS)
}

/// A committee's action plan.
pub fn plan_href(committee_id: &str) -> String {
    format!(
        "{}/plan-d-action",
        super::paths::committee_href(committee_id)
    )
}

/// The DSFR badge of a status.
pub fn badge(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Planned => "fr-badge--info",
        ActionStatus::InProgress => "fr-badge--new",
        ActionStatus::Done => "fr-badge--success",
        ActionStatus::Cancelled => "",
    }
}

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route(super::ACTIONS, web::get().to(plans::summaries))
        .route("/comites/{id}/plan-d-action", web::get().to(plans::plan))
        .route(
            "/comites/{id}/plan-d-action.csv",
            web::get().to(plans::export),
        )
        .route(
            "/comites/{id}/plan-d-action/nouvelle",
            web::get().to(edit::new_form),
        )
        .route(
            "/comites/{id}/plan-d-action/nouvelle",
            web::post().to(edit::create),
        )
        .route("/plans-d-action/{id}", web::get().to(show::page))
        .route(
            "/plans-d-action/{id}/modifier",
            web::get().to(edit::edit_form),
        )
        .route(
            "/plans-d-action/{id}/modifier",
            web::post().to(edit::update),
        )
        .route(
            "/plans-d-action/{id}/statut",
            web::post().to(show::change_status),
        );
}
