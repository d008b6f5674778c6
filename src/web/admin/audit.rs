//! The audit log: who changed what, when, newest first; filtered by kind
//! of record and its id, by person, by period (a GET form); paged. The
//! secrétariat sees its own structure's events only (the domain's scope).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::labels;
use super::{AUDIT, TRAIL, structure_href, user_href};
use crate::auth::caller::need;
use crate::domain::accounts::users;
use crate::domain::audit::{self, AuditEvent};
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use crate::store::Page;
use crate::store::audit::AuditFilter;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav, Pager};
use crate::web::paths::{committee_href, meeting_href};
use crate::web::session::{Staff, StaffCan};

/// The filters as the GET form sends them.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct AuditQuery {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    actor: String,
    /// "2026-12-01", the first day shown.
    #[serde(default)]
    from: String,
    /// The last day shown, included.
    #[serde(default)]
    to: String,
    #[serde(default, skip_serializing)]
    page: Option<i64>,
}

pub struct EventLine {
    pub when: String,
    pub who: String,
    pub action: String,
    pub entity: String,
    pub href: Option<String>,
    pub details: String,
}

#[derive(Template)]
#[template(path = "web/admin/audit.html")]
struct AuditPage {
    layout: Layout,
    query: AuditQuery,
    entities: Vec<(String, String)>,
    people: Vec<(String, String)>,
    events: Vec<EventLine>,
    pager: Pager,
    errors: Errors,
    filtered: bool,
}

/// The start of a French day, as UTC for the query; an error for `field`
/// when the date cannot be read.
fn day_start(
    value: &str,
    field: &str,
    next_day: bool,
    errors: &mut Vec<(String, String)>,
) -> Option<chrono::NaiveDateTime> {
    let value = form::text(value)?;
    let date = chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d")
        .ok()
        .and_then(|d| if next_day { d.succ_opt() } else { Some(d) });
    match date.and_then(|d| crate::french::paris_instant(&d.to_string(), "00:00")) {
        Some(instant) => Some(instant.naive_utc()),
        None => {
            errors.push((
                field.into(),
                "Date illisible : choisissez un jour dans le calendrier (aaaa-mm-jj).".into(),
            ));
            None
        }
    }
}

/// The page of a record named by the log, when there is one the caller
/// may open.
fn href(staff: &Staff, event: &AuditEvent) -> Option<String> {
    let id = &event.entity_id;
    match event.entity.as_str() {
        "structure" if staff.can::<need::ManageStructures>() => Some(structure_href(id)),
        "user" if staff.can::<need::ManageUsers>() => Some(user_href(id)),
        "committee" => Some(committee_href(id)),
        "meeting" => Some(meeting_href(id)),
        "member" => Some(format!("{}/membres/{id}", crate::web::REGISTRY)),
        _ => None,
    }
}

pub async fn list(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ReadAudit>,
    query: web::Query<AuditQuery>,
) -> WebResult<HttpResponse> {
    let query = query.into_inner();
    let mut problems = Vec::new();
    let filter = AuditFilter {
        entity: form::text(&query.entity),
        entity_id: form::text(&query.entity_id),
        actor_id: form::text(&query.actor),
        since: day_start(&query.from, "from", false, &mut problems),
        until: day_start(&query.to, "to", true, &mut problems),
    };
    let (scope, page) = (staff.caller.scope(), Pager::page_of(query.page));
    let ((items, total), (people, _)) = state
        .db
        .read(move |conn| {
            let events = audit::list(conn, &scope, &filter, page)?;
            let people = users::list(
                conn,
                &scope,
                None,
                Page {
                    limit: 1000,
                    offset: 0,
                },
            )?;
            Ok((events, people))
        })
        .await?;
    let name_of = |event: &AuditEvent| match (&event.actor_id, &event.actor_email) {
        (Some(id), email) => people
            .iter()
            .find(|u| u.id == *id)
            .map(|u| u.display_name.clone())
            .or_else(|| email.clone())
            .unwrap_or_else(|| "Compte supprimé".into()),
        (None, _) => "clu (automatique)".into(),
    };
    let events = items
        .iter()
        .map(|event| EventLine {
            when: crate::french::date_time(event.created_at),
            who: name_of(event),
            action: labels::action(&event.action),
            entity: labels::entity(&event.entity),
            href: href(&staff, event),
            details: labels::details(&event.summary),
        })
        .collect();
    let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
    let filtered = [
        &query.entity,
        &query.entity_id,
        &query.actor,
        &query.from,
        &query.to,
    ]
    .iter()
    .any(|v| !v.trim().is_empty());
    let errors = Errors::of(AppError::Validation(
        problems
            .into_iter()
            .map(|(field, message)| FieldError::new(field, message))
            .collect(),
    ))
    .unwrap_or_default();
    let page = AuditPage {
        layout: Layout::staff(&staff, "Journal des modifications", Nav::Admin, TRAIL),
        pager: Pager::new(AUDIT, &encoded, query.page, total),
        entities: labels::ENTITIES
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        people: people
            .into_iter()
            .map(|u| (u.id, format!("{} ({})", u.display_name, u.email)))
            .collect(),
        query,
        events,
        errors,
        filtered,
    };
    Ok(layout::ok(&page)?)
}
