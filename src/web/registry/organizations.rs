//! The organizations members represent: the list, adding, editing (refused
//! when someone saved in between), deleting or archiving.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{ORGANIZATIONS, TRAIL, encode, labels, page_number, param};
use crate::auth::caller::need;
use crate::domain::registry::organizations::{
    self, NewOrganization, Organization, OrganizationKind, OrganizationPatch, Removal,
};
use crate::domain::text::search_terms;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::organizations::OrganizationFilter;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav, Pager};
use crate::web::session::{Staff, StaffCan};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<String>,
    enregistree: Option<String>,
    supprimee: Option<String>,
    archivee: Option<String>,
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub acronym: String,
    pub kind: &'static str,
    pub email: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "web/registry/organizations.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    q: String,
    pager: Pager,
    can_write: bool,
    notice: String,
}

pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ListQuery>,
) -> WebResult<HttpResponse> {
    let q = param(&query.q).unwrap_or_default();
    let page = page_number(&query.page);
    let filter = OrganizationFilter {
        terms: search_terms(&q),
        include_archived: false,
    };
    let scope = staff.caller.scope();
    let (found, total) = state
        .db
        .read(move |conn| organizations::list(conn, &scope, &filter, Pager::page_of(page)))
        .await?;
    let notice = if query.enregistree.is_some() {
        "L’organisation a été enregistrée."
    } else if query.supprimee.is_some() {
        "L’organisation a été supprimée."
    } else if query.archivee.is_some() {
        "Des membres la représentent : l’organisation a été archivée, ils la gardent."
    } else {
        ""
    };
    let page = ListPage {
        layout: Layout::staff(&staff, "Organisations", Nav::Registry, &[TRAIL]),
        rows: found
            .into_iter()
            .map(|o| Row {
                kind: labels::kind(o.kind),
                name: o.name,
                acronym: o.acronym.unwrap_or_default(),
                email: o.email.unwrap_or_default(),
                phone: o.phone.unwrap_or_default(),
                id: o.id,
            })
            .collect(),
        pager: Pager::new(ORGANIZATIONS, &encode(&[("q", &q)]), page, total),
        q,
        can_write: staff.can::<need::Write>(),
        notice: notice.to_owned(),
    };
    Ok(layout::ok(&page)?)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrganizationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    acronym: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    version: String,
}

impl OrganizationForm {
    fn of(org: &Organization) -> Self {
        Self {
            name: org.name.clone(),
            acronym: org.acronym.clone().unwrap_or_default(),
            kind: org.kind.as_str().to_owned(),
            email: org.email.clone().unwrap_or_default(),
            phone: org.phone.clone().unwrap_or_default(),
            version: form::version(org.updated_at),
        }
    }

    fn kind(&self) -> Result<OrganizationKind, Errors> {
        OrganizationKind::parse(&self.kind)
            .ok_or_else(|| Errors::one("kind", "Choisissez un type."))
    }
}

/// Someone else's saved values, beside each field typed differently.
#[derive(Default)]
pub struct Current {
    name: String,
    acronym: String,
    kind: String,
    email: String,
    phone: String,
}

impl Current {
    fn of(saved: &Organization, typed: &OrganizationForm) -> Self {
        let now = OrganizationForm::of(saved);
        let differs =
            |saved: &str, typed: &str, shown: &str| match (saved.trim() == typed.trim(), shown) {
                (true, _) => String::new(),
                (false, "") => "(vide)".to_owned(),
                (false, shown) => shown.to_owned(),
            };
        Self {
            name: differs(&now.name, &typed.name, &now.name),
            acronym: differs(&now.acronym, &typed.acronym, &now.acronym),
            kind: differs(&now.kind, &typed.kind, labels::kind(saved.kind)),
            email: differs(&now.email, &typed.email, &now.email),
            phone: differs(&now.phone, &typed.phone, &now.phone),
        }
    }
}

#[derive(Template)]
#[template(path = "web/registry/organization_form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    submit: &'static str,
    form: OrganizationForm,
    errors: Errors,
    summary: Vec<String>,
    kinds: Vec<(String, String)>,
    stale: bool,
    current: Current,
}

fn field_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "Nom",
        "acronym" => "Sigle",
        "kind" => "Type",
        "email" => "Adresse e-mail",
        "phone" => "Téléphone",
        _ => return None,
    })
}

impl FormPage {
    fn new(
        staff: &Staff,
        editing: Option<&Organization>,
        form: OrganizationForm,
        errors: Errors,
    ) -> Self {
        let (title, action, submit) = match editing {
            None => (
                "Ajouter une organisation".to_owned(),
                "/registre/organisations/nouvelle".to_owned(),
                "Ajouter l’organisation",
            ),
            Some(org) => (
                format!("Modifier {}", org.name),
                format!("{ORGANIZATIONS}/{}/modifier", org.id),
                "Enregistrer",
            ),
        };
        Self {
            layout: Layout::staff(
                staff,
                &title,
                Nav::Registry,
                &[TRAIL, ("Organisations", ORGANIZATIONS)],
            ),
            action,
            submit,
            form,
            summary: errors.summary(field_label),
            errors,
            kinds: labels::KINDS
                .iter()
                .map(|k| (k.as_str().to_owned(), labels::kind(*k).to_owned()))
                .collect(),
            stale: false,
            current: Current::default(),
        }
    }
}

/// A name already used is said next to the name.
fn errors_of(err: AppError) -> Result<Errors, AppError> {
    match err {
        AppError::Conflict(reason) => Ok(Errors::one("name", &format!("{reason}."))),
        other => Errors::of(other),
    }
}

pub async fn new_form(StaffCan(staff, _): StaffCan<need::Write>) -> WebResult<HttpResponse> {
    let typed = OrganizationForm {
        kind: OrganizationKind::Association.as_str().to_owned(),
        ..OrganizationForm::default()
    };
    Ok(layout::ok(&FormPage::new(
        &staff,
        None,
        typed,
        Errors::default(),
    ))?)
}

pub async fn create(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    CsrfForm(typed): CsrfForm<OrganizationForm>,
) -> WebResult<HttpResponse> {
    let errors = match typed.kind() {
        Err(errors) => errors,
        Ok(kind) => {
            let input = NewOrganization {
                name: typed.name.trim().to_owned(),
                acronym: form::text(&typed.acronym),
                kind,
                email: form::text(&typed.email),
                phone: form::text(&typed.phone),
            };
            let (caller, now) = (staff.caller.clone(), state.clock.now());
            match state
                .db
                .write(move |conn| organizations::create(conn, &caller, now, input))
                .await
            {
                Ok(_) => return Ok(layout::see_other(&format!("{ORGANIZATIONS}?enregistree=1"))),
                Err(err) => errors_of(err)?,
            }
        }
    };
    let page = FormPage::new(&staff, None, typed, errors);
    Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
}

async fn organization(state: &AppState, staff: &Staff, id: String) -> WebResult<Organization> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| organizations::get(conn, &scope, &id))
        .await?)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let org = organization(&state, &staff, id.into_inner()).await?;
    let typed = OrganizationForm::of(&org);
    Ok(layout::ok(&FormPage::new(
        &staff,
        Some(&org),
        typed,
        Errors::default(),
    ))?)
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(typed): CsrfForm<OrganizationForm>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    let (status, errors, stale) = match typed.kind() {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, false),
        Ok(kind) => {
            let patch = OrganizationPatch {
                name: Some(typed.name.trim().to_owned()),
                acronym: Some(form::text(&typed.acronym)),
                kind: Some(kind),
                email: Some(form::text(&typed.email)),
                phone: Some(form::text(&typed.phone)),
                archived: None,
            };
            let (caller, now, at) = (staff.caller.clone(), state.clock.now(), id.clone());
            let seen = form::version_of(&typed.version);
            match state
                .db
                .write(move |conn| organizations::update(conn, &caller, now, &at, patch, seen))
                .await
            {
                Ok(_) => return Ok(layout::see_other(&format!("{ORGANIZATIONS}?enregistree=1"))),
                Err(AppError::Stale) => (StatusCode::CONFLICT, Errors::default(), true),
                Err(err) => (StatusCode::UNPROCESSABLE_ENTITY, errors_of(err)?, false),
            }
        }
    };
    let saved = organization(&state, &staff, id).await?;
    let mut shown = typed.clone();
    let mut page = FormPage::new(&staff, Some(&saved), typed.clone(), errors);
    if stale {
        shown.version = form::version(saved.updated_at);
        page.current = Current::of(&saved, &typed);
        page.stale = true;
    }
    page.form = shown;
    Ok(layout::page(status, &page)?)
}

#[derive(Template)]
#[template(path = "web/registry/organization_remove.html")]
struct RemovePage {
    layout: Layout,
    id: String,
    name: String,
}

pub async fn remove_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let org = organization(&state, &staff, id.into_inner()).await?;
    let page = RemovePage {
        layout: Layout::staff(
            &staff,
            &format!("Supprimer {}", org.name),
            Nav::Registry,
            &[TRAIL, ("Organisations", ORGANIZATIONS)],
        ),
        id: org.id,
        name: org.name,
    };
    Ok(layout::ok(&page)?)
}

/// Deletes the organization, or archives it when members refer to it.
pub async fn remove(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), id.into_inner());
    Ok(
        match state
            .db
            .write(move |conn| organizations::delete(conn, &caller, now, &id))
            .await?
        {
            Removal::Deleted => layout::see_other(&format!("{ORGANIZATIONS}?supprimee=1")),
            Removal::Archived(_) => layout::see_other(&format!("{ORGANIZATIONS}?archivee=1")),
        },
    )
}
