//! The rights of the people in the registry: the export of everything held
//! about a member (the API's JSON) and anonymisation, after a page that says
//! what is erased and what is kept. Both need `Write`, as in the API.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{MEMBERS, TRAIL, labels};
use crate::auth::caller::need;
use crate::domain::registry::gdpr::{self, ANONYMIZED_NAME};
use crate::domain::registry::members;
use crate::state::AppState;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::layout::{self, Layout, Nav};
use crate::web::session::StaffCan;

/// `GET /registre/membres/{id}/donnees`: the JSON file of the API's export.
pub async fn export(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (now, scope, id) = (state.clock.now(), staff.caller.scope(), id.into_inner());
    let export = state
        .db
        .read(move |conn| gdpr::export(conn, &scope, &id, now))
        .await?;
    let filename = format!("attachment; filename=\"membre-{}.json\"", export.member.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, filename))
        .json(export))
}

#[derive(Template)]
#[template(path = "web/registry/anonymize.html")]
struct ConfirmPage {
    layout: Layout,
    id: String,
    name: String,
    anonymized_name: &'static str,
    already: bool,
}

pub async fn confirm(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (scope, id) = (staff.caller.scope(), id.into_inner());
    let member = state
        .db
        .read(move |conn| members::get(conn, &scope, &id))
        .await?;
    let name = labels::member_name(&member);
    let href = format!("{MEMBERS}/{}", member.id);
    let page = ConfirmPage {
        layout: Layout::staff(
            &staff,
            &format!("Anonymiser {name}"),
            Nav::Registry,
            &[TRAIL, ("Membres", MEMBERS), (&name, &href)],
        ),
        already: member.anonymized_at.is_some(),
        id: member.id,
        name,
        anonymized_name: ANONYMIZED_NAME,
    };
    Ok(layout::ok(&page)?)
}

pub async fn anonymize(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), id.into_inner());
    let member = state
        .db
        .write(move |conn| gdpr::anonymize(conn, &caller, now, &id))
        .await?;
    Ok(layout::see_other(&format!(
        "{MEMBERS}/{}?anonymise=1",
        member.id
    )))
}
