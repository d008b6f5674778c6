//! "Plans d’action": each committee's action plan (the columns of the
//! seed's annex), its filters, create and edit, each action's page with
//! its status changes and its history, the CSV export.

mod edit;
mod fields;
mod plans;
mod show;

use crate::methods::Pages;

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

pub fn routes(config: &mut Pages) {
    config
        .get(super::ACTIONS, plans::summaries)
        .get("/comites/{id}/plan-d-action", plans::plan)
        .get("/comites/{id}/plan-d-action.csv", plans::export)
        .get("/comites/{id}/plan-d-action/nouvelle", edit::new_form)
        .post("/comites/{id}/plan-d-action/nouvelle", edit::create)
        .get("/plans-d-action/{id}", show::page)
        .get("/plans-d-action/{id}/modifier", edit::edit_form)
        .post("/plans-d-action/{id}/modifier", edit::update)
        .post("/plans-d-action/{id}/statut", show::change_status);
}
