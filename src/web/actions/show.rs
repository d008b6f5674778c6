//! One action's page: its fields, its status change (a cancellation asks
//! why), and its history as a timeline — who changed what, when.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::fields::{ActionLine, source_text};
use super::{action_href, plan_href};
use crate::auth::caller::need;
use crate::domain::actions::history::HistoryEntry;
use crate::domain::actions::{self, ActionPatch, ActionStatus, Source, plans};
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav};
use crate::web::session::{Staff, StaffCan};
use crate::web::{ACTIONS, DASHBOARD};

/// One change of the timeline, in words.
pub struct ChangeLine {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

pub struct EventLine {
    pub at: String,
    pub who: String,
    pub created: bool,
    pub changes: Vec<ChangeLine>,
}

#[derive(Template)]
#[template(path = "web/actions/show.html")]
struct ShowPage {
    layout: Layout,
    line: ActionLine,
    raised_at: String,
    edit_href: String,
    status_href: String,
    plan_href: String,
    /// The statuses it may move to.
    moves: Vec<(String, String)>,
    status_form: StatusForm,
    errors: Errors,
    events: Vec<EventLine>,
    can_write: bool,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "number" => "Numéro",
        "finding" => "Constat",
        "reference" => "Référentiel",
        "sources" => "Sources",
        "status" => "Statut",
        "due_date" => "Échéance",
        "completed_on" => "Réalisée le",
        "cancel_reason" => "Motif d’annulation",
        "description" => "Nature du plan d’action",
        "responsible" => "Responsable",
        "effective" => "Action efficace",
        "verification" => "Vérification de l’efficacité",
        "meeting_id" => "Réunion d’origine",
        "discussed_in" => "Réunions où elle a été discutée",
        _ => "Autre champ",
    }
}

/// A value of the history in words: a status by its label, a date in
/// French, a meeting by its date and title.
fn value_text(field: &str, value: &Value, meetings: &[(String, String)]) -> String {
    match (field, value) {
        (_, Value::Null) => "—".into(),
        ("status", Value::String(s)) => ActionStatus::parse(s)
            .map(|s| s.label().to_owned())
            .unwrap_or_else(|| s.clone()),
        ("due_date" | "completed_on", Value::String(s)) => {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(crate::french::date)
                .unwrap_or_else(|_| s.clone())
        }
        ("effective", Value::Bool(b)) => if *b { "Oui" } else { "Non" }.into(),
        ("meeting_id", Value::String(id)) => meeting_name(id, meetings),
        ("discussed_in", Value::Array(ids)) if ids.is_empty() => "—".into(),
        ("discussed_in", Value::Array(ids)) => ids
            .iter()
            .filter_map(Value::as_str)
            .map(|id| meeting_name(id, meetings))
            .collect::<Vec<_>>()
            .join(", "),
        ("sources", Value::Array(_)) => {
            let sources: Vec<Source> = serde_json::from_value(value.clone()).unwrap_or_default();
            if sources.is_empty() {
                "—".into()
            } else {
                sources
                    .iter()
                    .map(source_text)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

fn meeting_name(id: &str, meetings: &[(String, String)]) -> String {
    meetings
        .iter()
        .find(|(m, _)| m == id)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| "une réunion".into())
}

fn event_line(entry: &HistoryEntry, meetings: &[(String, String)]) -> EventLine {
    let created = entry.action == "create";
    EventLine {
        at: crate::french::date_time(entry.at),
        who: entry
            .actor_name
            .clone()
            .or_else(|| entry.actor_email.clone())
            .unwrap_or_else(|| "clu".into()),
        created,
        changes: entry
            .changes
            .iter()
            .filter(|c| !(created && (c.to.is_null() || c.to == Value::Array(vec![]))))
            .map(|c| ChangeLine {
                field: field_label(&c.field),
                from: value_text(&c.field, &c.from, meetings),
                to: value_text(&c.field, &c.to, meetings),
            })
            .collect(),
    }
}

/// The status form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    cancel_reason: String,
    #[serde(default)]
    completed_on: String,
}

fn show_page(staff: &Staff, found: plans::ActionPage) -> ShowPage {
    let action = &found.action;
    let meetings = super::fields::meeting_options(&found.meetings, "");
    let title = match action.number {
        Some(n) => format!("Action n° {n}"),
        None => "Action".to_owned(),
    };
    let plan = plan_href(&found.committee.id);
    let moves = ActionStatus::ALL
        .iter()
        .filter(|next| action.status.can_become(**next))
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    ShowPage {
        layout: Layout::staff(
            staff,
            &title,
            Nav::Actions,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Plans d’action", ACTIONS),
                (&format!("Plan d’action — {}", found.committee.name), &plan),
            ],
        ),
        raised_at: action
            .meeting_id
            .as_deref()
            .map(|id| meeting_name(id, &meetings))
            .unwrap_or_default(),
        edit_href: format!("{}/modifier", action_href(&action.id)),
        status_href: format!("{}/statut", action_href(&action.id)),
        plan_href: plan,
        moves,
        status_form: StatusForm::default(),
        errors: Errors::default(),
        events: found
            .history
            .iter()
            .rev()
            .map(|e| event_line(e, &meetings))
            .collect(),
        line: ActionLine::of(action),
        can_write: staff.can::<need::Write>(),
    }
}

pub async fn page(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (scope, id, today) = (staff.caller.scope(), id.into_inner(), state.clock.today());
    let found = state
        .db
        .read(move |conn| plans::page(conn, &scope, &id, today))
        .await?;
    Ok(layout::ok(&show_page(&staff, found))?)
}

pub async fn change_status(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> WebResult<HttpResponse> {
    let (scope, id, today) = (staff.caller.scope(), id.into_inner(), state.clock.today());
    let refused = |found: plans::ActionPage, form: StatusForm, errors: Errors| {
        let mut page = show_page(&staff, found);
        page.status_form = form;
        page.errors = errors;
        layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let Some(status) = ActionStatus::parse(&form.status) else {
        let found = state
            .db
            .read(move |conn| plans::page(conn, &scope, &id, today))
            .await?;
        return Ok(refused(
            found,
            form,
            Errors::one("status", "Choisissez le nouveau statut."),
        )?);
    };
    let completed_on = match form::text(&form.completed_on) {
        None => None,
        Some(d) => match chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let found = state
                    .db
                    .read(move |conn| plans::page(conn, &scope, &id, today))
                    .await?;
                let errors = Errors::one("completed_on", "Une date au format AAAA-MM-JJ.");
                return Ok(refused(found, form, errors)?);
            }
        },
    };
    let patch = ActionPatch {
        status: Some(status),
        cancel_reason: form::text(&form.cancel_reason),
        completed_on,
        ..ActionPatch::default()
    };
    let (caller, now, target) = (staff.caller.clone(), state.clock.now(), id.clone());
    match state
        .db
        .write(move |conn| actions::update(conn, &caller, now, &target, patch.clone()))
        .await
    {
        Ok(saved) => {
            staff.flash(format!(
                "Action passée au statut « {} ».",
                saved.status.label()
            ));
            Ok(layout::see_other(&action_href(&saved.id)))
        }
        Err(err) => {
            let errors = Errors::of(err)?;
            let found = state
                .db
                .read(move |conn| plans::page(conn, &scope, &id, today))
                .await?;
            Ok(refused(found, form, errors)?)
        }
    }
}
