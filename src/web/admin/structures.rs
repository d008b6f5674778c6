//! Structures (administrators only): the list, a new one, and the form
//! that changes one: its name, letterhead lines, city, service and the
//! "Affaire suivie par" block of its letters.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{STRUCTURES, TRAIL, structure_href};
use crate::auth::caller::need;
use crate::domain::accounts::structures::{
    self, CaseOfficer, NewStructure, Structure, StructurePatch,
};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav, Pager};
use crate::web::session::{Staff, StaffCan};

pub struct StructureLine {
    pub href: String,
    pub name: String,
    pub department_code: String,
    pub city: String,
    pub service_name: String,
}

#[derive(Template)]
#[template(path = "web/admin/structures.html")]
struct ListPage {
    layout: Layout,
    structures: Vec<StructureLine>,
    pager: Pager,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn list(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageStructures>,
    query: web::Query<PageQuery>,
) -> WebResult<HttpResponse> {
    let (scope, page) = (staff.caller.scope(), Pager::page_of(query.page));
    let (items, total) = state
        .db
        .read(move |conn| structures::list(conn, &scope, page))
        .await?;
    let page = ListPage {
        layout: Layout::staff(&staff, "Structures", Nav::Admin, TRAIL),
        structures: items
            .into_iter()
            .map(|s| StructureLine {
                href: structure_href(&s.id),
                name: s.name,
                department_code: s.department_code,
                city: s.city,
                service_name: s.service_name,
            })
            .collect(),
        pager: Pager::new(STRUCTURES, "", query.page, total),
    };
    Ok(layout::ok(&page)?)
}

/// The structure form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StructureForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    department_code: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    service_name: String,
    /// One line of the letterhead per line.
    #[serde(default)]
    letterhead: String,
    #[serde(default)]
    officer_name: String,
    #[serde(default)]
    officer_phone: String,
    #[serde(default)]
    officer_email: String,
    #[serde(default)]
    version: String,
}

impl StructureForm {
    fn of(structure: &Structure) -> Self {
        let officer = structure.case_officer.clone().unwrap_or_default();
        Self {
            name: structure.name.clone(),
            department_code: structure.department_code.clone(),
            city: structure.city.clone(),
            service_name: structure.service_name.clone(),
            letterhead: structure.letterhead.join("\n"),
            officer_name: officer.name.unwrap_or_default(),
            officer_phone: officer.phone.unwrap_or_default(),
            officer_email: officer.email.unwrap_or_default(),
            version: form::version(structure.updated_at),
        }
    }

    /// The letterhead's lines, blank ones dropped.
    fn letterhead(&self) -> Vec<String> {
        self.letterhead
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn case_officer(&self) -> Option<CaseOfficer> {
        let officer = CaseOfficer {
            name: form::text(&self.officer_name),
            phone: form::text(&self.officer_phone),
            email: form::text(&self.officer_email),
        };
        (officer != CaseOfficer::default()).then_some(officer)
    }
}

#[derive(Template)]
#[template(path = "web/admin/structure_form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    form: StructureForm,
    errors: Errors,
    /// The letterhead's errors, whichever line they concern.
    letterhead_error: String,
    /// The structure as saved by someone else meanwhile (a stale save).
    current: Option<StructureForm>,
}

fn form_page(staff: &Staff, title: &str, action: String, form: StructureForm) -> FormPage {
    let trail = [TRAIL, &[("Structures", STRUCTURES)]].concat();
    FormPage {
        layout: Layout::staff(staff, title, Nav::Admin, &trail),
        action,
        form,
        errors: Errors::default(),
        letterhead_error: String::new(),
        current: None,
    }
}

impl FormPage {
    fn refused(mut self, form: StructureForm, err: AppError) -> WebResult<HttpResponse> {
        self.errors = Errors::of(err)?;
        self.letterhead_error = std::iter::once(self.errors.on("letterhead"))
            .chain((0..10).map(|i| self.errors.on(&format!("letterhead[{i}]"))))
            .filter(|e| !e.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        self.form = form;
        Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &self)?)
    }
}

const NEW: &str = "/administration/structures/nouvelle";

pub async fn new_form(
    StaffCan(staff, _): StaffCan<need::ManageStructures>,
) -> WebResult<HttpResponse> {
    let page = form_page(
        &staff,
        "Nouvelle structure",
        NEW.into(),
        StructureForm::default(),
    );
    Ok(layout::ok(&page)?)
}

pub async fn create(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageStructures>,
    CsrfForm(form): CsrfForm<StructureForm>,
) -> WebResult<HttpResponse> {
    let page = form_page(
        &staff,
        "Nouvelle structure",
        NEW.into(),
        StructureForm::default(),
    );
    let input = NewStructure {
        name: form.name.clone(),
        department_code: form.department_code.clone(),
        city: form.city.clone(),
        service_name: form.service_name.clone(),
        letterhead: form.letterhead(),
        case_officer: form.case_officer(),
    };
    let (actor, now) = ((&staff.caller).into(), state.clock.now());
    match state
        .db
        .write(move |conn| structures::create(conn, &actor, now, input.clone()))
        .await
    {
        Ok(structure) => {
            staff.flash(format!(
                "Structure « {} » créée. Créez-lui maintenant ses comptes.",
                structure.name
            ));
            Ok(layout::see_other(STRUCTURES))
        }
        Err(err) => page.refused(form, err),
    }
}

async fn structure(state: &AppState, staff: &Staff, id: String) -> WebResult<Structure> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| structures::get(conn, &scope, &id))
        .await?)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageStructures>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let structure = structure(&state, &staff, id.into_inner()).await?;
    let page = form_page(
        &staff,
        &format!("Modifier « {} »", structure.name),
        structure_href(&structure.id),
        StructureForm::of(&structure),
    );
    Ok(layout::ok(&page)?)
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageStructures>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<StructureForm>,
) -> WebResult<HttpResponse> {
    let before = structure(&state, &staff, id.into_inner()).await?;
    let mut page = form_page(
        &staff,
        &format!("Modifier « {} »", before.name),
        structure_href(&before.id),
        StructureForm::default(),
    );
    let patch = StructurePatch {
        name: Some(form.name.clone()),
        department_code: Some(form.department_code.clone()),
        city: Some(form.city.clone()),
        service_name: Some(form.service_name.clone()),
        letterhead: Some(form.letterhead()),
        case_officer: Some(form.case_officer()),
    };
    let (actor, now, scope) = (
        (&staff.caller).into(),
        state.clock.now(),
        staff.caller.scope(),
    );
    let (id, seen) = (before.id.clone(), form::version_of(&form.version));
    match state
        .db
        .write(move |conn| structures::update(conn, &actor, now, &scope, &id, patch.clone(), seen))
        .await
    {
        Ok(structure) => {
            staff.flash(format!("Structure « {} » enregistrée.", structure.name));
            Ok(layout::see_other(STRUCTURES))
        }
        Err(AppError::Stale) => {
            // Someone saved first: their version beside what was typed, which
            // stays in the fields; the new version lets a resubmit save.
            let current = StructureForm::of(&structure(&state, &staff, before.id.clone()).await?);
            page.form = StructureForm {
                version: current.version.clone(),
                ..form
            };
            page.current = Some(current);
            Ok(layout::page(StatusCode::CONFLICT, &page)?)
        }
        Err(err) => page.refused(form, err),
    }
}
