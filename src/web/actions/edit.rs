//! An action's form: new (from the committee's plan) and edit (every
//! field but the status, which changes on the action's page).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::fields::{ActionForm, meeting_options};
use super::{action_href, plan_href};
use crate::auth::caller::need;
use crate::domain::actions::{self, ActionStatus, plans};
use crate::domain::meetings::Meeting;
use crate::domain::registry::committees::Committee;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::Errors;
use crate::web::layout::{self, Layout, Nav};
use crate::web::session::{Staff, StaffCan};
use crate::web::{ACTIONS, DASHBOARD};

/// The action form carries several long texts.
const ACTION_FORM_LIMIT: usize = 64 * 1024;

type Pairs = CsrfForm<Vec<(String, String)>, ACTION_FORM_LIMIT>;

#[derive(Template)]
#[template(path = "web/actions/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    cancel_href: String,
    form: ActionForm,
    /// A new action may be entered as already under way or done.
    statuses: Option<Vec<(String, String)>>,
    meetings: Vec<(String, String)>,
    effective: Vec<(String, String)>,
    errors: Errors,
}

fn form_page(
    staff: &Staff,
    title: &str,
    committee: &Committee,
    meetings: &[Meeting],
    action: String,
    form: ActionForm,
) -> FormPage {
    let plan = plan_href(&committee.id);
    FormPage {
        layout: Layout::staff(
            staff,
            title,
            Nav::Actions,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Plans d’action", ACTIONS),
                ("Plan d’action", &plan),
            ],
        ),
        action,
        cancel_href: plan,
        form,
        statuses: None,
        meetings: meeting_options(meetings, "Aucune"),
        effective: vec![
            (String::new(), "Pas encore jugée".into()),
            ("oui".into(), "Oui".into()),
            ("non".into(), "Non".into()),
        ],
        errors: Errors::default(),
    }
}

fn new_statuses() -> Option<Vec<(String, String)>> {
    Some(
        [
            ActionStatus::Planned,
            ActionStatus::InProgress,
            ActionStatus::Done,
        ]
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect(),
    )
}

async fn committee_meetings(
    state: &AppState,
    staff: &Staff,
    id: String,
) -> WebResult<(Committee, Vec<Meeting>)> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| plans::committee_meetings(conn, &scope, &id))
        .await?)
}

fn refused(mut page: FormPage, form: ActionForm, errors: Errors) -> WebResult<HttpResponse> {
    page.form = form;
    page.errors = errors;
    Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
}

pub async fn new_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (committee, meetings) = committee_meetings(&state, &staff, id.into_inner()).await?;
    let action = format!("{}/nouvelle", plan_href(&committee.id));
    let mut page = form_page(
        &staff,
        "Nouvelle action",
        &committee,
        &meetings,
        action,
        ActionForm::blank(),
    );
    page.statuses = new_statuses();
    Ok(layout::ok(&page)?)
}

pub async fn create(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(pairs): Pairs,
) -> WebResult<HttpResponse> {
    let (committee, meetings) = committee_meetings(&state, &staff, id.into_inner()).await?;
    let action = format!("{}/nouvelle", plan_href(&committee.id));
    let mut page = form_page(
        &staff,
        "Nouvelle action",
        &committee,
        &meetings,
        action,
        ActionForm::blank(),
    );
    page.statuses = new_statuses();
    let form = ActionForm::read(&pairs);
    let input = match form.new_action() {
        Ok(input) => input,
        Err(errors) => return refused(page, form, errors),
    };
    let (caller, now, committee) = (staff.caller.clone(), state.clock.now(), committee.id);
    match state
        .db
        .write(move |conn| actions::create(conn, &caller, now, &committee, input.clone()))
        .await
    {
        Ok(created) => {
            staff.flash("Action ajoutée au plan.");
            Ok(layout::see_other(&action_href(&created.id)))
        }
        Err(crate::error::AppError::Conflict(reason)) => {
            refused(page, form, Errors::one("number", &reason))
        }
        Err(err) => refused(page, form, Errors::of(err)?),
    }
}

async fn action_page(state: &AppState, staff: &Staff, id: String) -> WebResult<plans::ActionPage> {
    let (scope, today) = (staff.caller.scope(), state.clock.today());
    Ok(state
        .db
        .read(move |conn| plans::page(conn, &scope, &id, today))
        .await?)
}

fn edit_page(staff: &Staff, found: &plans::ActionPage) -> FormPage {
    let title = match found.action.number {
        Some(n) => format!("Modifier l’action n° {n}"),
        None => "Modifier l’action".to_owned(),
    };
    let mut page = form_page(
        staff,
        &title,
        &found.committee,
        &found.meetings,
        format!("{}/modifier", action_href(&found.action.id)),
        ActionForm::of(&found.action),
    );
    page.cancel_href = action_href(&found.action.id);
    page
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let found = action_page(&state, &staff, id.into_inner()).await?;
    Ok(layout::ok(&edit_page(&staff, &found))?)
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(pairs): Pairs,
) -> WebResult<HttpResponse> {
    let found = action_page(&state, &staff, id.into_inner()).await?;
    let page = edit_page(&staff, &found);
    let form = ActionForm::read(&pairs);
    let patch = match form.patch() {
        Ok(patch) => patch,
        Err(errors) => return refused(page, form, errors),
    };
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), found.action.id);
    match state
        .db
        .write(move |conn| actions::update(conn, &caller, now, &id, patch.clone()))
        .await
    {
        Ok(saved) => {
            staff.flash("Action enregistrée.");
            Ok(layout::see_other(&action_href(&saved.id)))
        }
        Err(crate::error::AppError::Conflict(reason)) => {
            refused(page, form, Errors::one("number", &reason))
        }
        Err(err) => refused(page, form, Errors::of(err)?),
    }
}
