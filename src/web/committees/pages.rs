//! The committees: list, create, edit, and a committee's page (its
//! members, the form to seat one more, its meetings).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::memberships::{MembershipRow, seat_rows};
use super::seat_form::SeatForm;
use crate::auth::caller::need;
use crate::domain::registry::committees::{
    self, Committee, CommitteeKind, CommitteePatch, NewCommittee,
};
use crate::domain::registry::memberships;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav, Pager};
use crate::web::meetings::MeetingLine;
use crate::web::paths::committee_href;
use crate::web::session::{Staff, StaffCan};
use crate::web::{COMMITTEES, DASHBOARD};

pub struct CommitteeLine {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub description: String,
}

#[derive(Template)]
#[template(path = "web/committees/list.html")]
struct ListPage {
    layout: Layout,
    committees: Vec<CommitteeLine>,
    pager: Pager,
    can_write: bool,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<PageQuery>,
) -> WebResult<HttpResponse> {
    let (scope, page) = (staff.caller.scope(), Pager::page_of(query.page));
    let (items, total) = state
        .db
        .read(move |conn| committees::list(conn, &scope, page))
        .await?;
    let page = ListPage {
        layout: Layout::staff(
            &staff,
            "Comités",
            Nav::Committees,
            &[("Tableau de bord", DASHBOARD)],
        ),
        committees: items
            .into_iter()
            .map(|c| CommitteeLine {
                href: committee_href(&c.id),
                kind: c.kind.label(),
                description: c.description.unwrap_or_default(),
                name: c.name,
            })
            .collect(),
        pager: Pager::new(COMMITTEES, "", query.page, total),
        can_write: staff.can::<need::Write>(),
    };
    Ok(layout::ok(&page)?)
}

/// The committee form as typed.
#[derive(Debug, Default, Deserialize)]
pub struct CommitteeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    version: String,
}

impl CommitteeForm {
    fn of(committee: &Committee) -> Self {
        Self {
            name: committee.name.clone(),
            kind: committee.kind.as_str().into(),
            description: committee.description.clone().unwrap_or_default(),
            version: form::version(committee.updated_at),
        }
    }

    fn kind(&self) -> Result<CommitteeKind, Errors> {
        CommitteeKind::parse(&self.kind)
            .ok_or_else(|| Errors::one("kind", "Choisissez le type d’instance."))
    }
}

#[derive(Template)]
#[template(path = "web/committees/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    form: CommitteeForm,
    kinds: Vec<(String, String)>,
    errors: Errors,
    /// The committee as saved by someone else meanwhile (a stale save).
    current: Option<CommitteeForm>,
}

fn kinds() -> Vec<(String, String)> {
    CommitteeKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect()
}

fn form_page(staff: &Staff, title: &str, action: String, form: CommitteeForm) -> FormPage {
    FormPage {
        layout: Layout::staff(
            staff,
            title,
            Nav::Committees,
            &[("Tableau de bord", DASHBOARD), ("Comités", COMMITTEES)],
        ),
        action,
        form,
        kinds: kinds(),
        errors: Errors::default(),
        current: None,
    }
}

pub async fn new_form(StaffCan(staff, _): StaffCan<need::Write>) -> WebResult<HttpResponse> {
    let form = CommitteeForm {
        kind: CommitteeKind::Clu.as_str().into(),
        ..CommitteeForm::default()
    };
    let page = form_page(&staff, "Nouveau comité", "/comites/nouveau".into(), form);
    Ok(layout::ok(&page)?)
}

pub async fn create(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    CsrfForm(form): CsrfForm<CommitteeForm>,
) -> WebResult<HttpResponse> {
    let mut page = form_page(
        &staff,
        "Nouveau comité",
        "/comites/nouveau".into(),
        CommitteeForm::default(),
    );
    let kind = match form.kind() {
        Ok(kind) => kind,
        Err(errors) => {
            page.errors = errors;
            page.form = form;
            return Ok(layout::page(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?);
        }
    };
    let input = NewCommittee {
        name: form.name.clone(),
        kind,
        description: form::text(&form.description),
    };
    let (caller, now) = (staff.caller.clone(), state.clock.now());
    match state
        .db
        .write(move |conn| committees::create(conn, &caller, now, input.clone()))
        .await
    {
        Ok(committee) => {
            staff.flash(format!(
                "Comité « {} » créé. Ajoutez-y ses membres.",
                committee.name
            ));
            Ok(layout::see_other(&committee_href(&committee.id)))
        }
        Err(err) => {
            page.errors = Errors::of(err)?;
            page.form = form;
            Ok(layout::page(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?)
        }
    }
}

async fn committee(state: &AppState, staff: &Staff, id: String) -> WebResult<Committee> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| committees::get(conn, &scope, &id))
        .await?)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let committee = committee(&state, &staff, id.into_inner()).await?;
    let action = format!("{}/modifier", committee_href(&committee.id));
    let page = form_page(
        &staff,
        &format!("Modifier « {} »", committee.name),
        action,
        CommitteeForm::of(&committee),
    );
    Ok(layout::ok(&page)?)
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<CommitteeForm>,
) -> WebResult<HttpResponse> {
    let before = committee(&state, &staff, id.into_inner()).await?;
    let action = format!("{}/modifier", committee_href(&before.id));
    let mut page = form_page(
        &staff,
        &format!("Modifier « {} »", before.name),
        action,
        CommitteeForm::default(),
    );
    let kind = match form.kind() {
        Ok(kind) => kind,
        Err(errors) => {
            page.errors = errors;
            page.form = form;
            return Ok(layout::page(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?);
        }
    };
    let patch = CommitteePatch {
        name: Some(form.name.clone()),
        kind: Some(kind),
        description: Some(form::text(&form.description)),
    };
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), before.id.clone());
    let seen = form::version_of(&form.version);
    match state
        .db
        .write(move |conn| committees::update(conn, &caller, now, &id, patch.clone(), seen))
        .await
    {
        Ok(committee) => {
            staff.flash("Comité enregistré.");
            Ok(layout::see_other(&committee_href(&committee.id)))
        }
        Err(crate::error::AppError::Stale) => {
            // Someone saved first: their version beside what was typed,
            // which stays in the fields; the new version lets a resubmit save.
            let current = committee(&state, &staff, before.id.clone()).await?;
            let current = CommitteeForm::of(&current);
            page.form = CommitteeForm {
                version: current.version.clone(),
                ..form
            };
            page.current = Some(current);
            Ok(layout::page(actix_web::http::StatusCode::CONFLICT, &page)?)
        }
        Err(err) => {
            page.errors = Errors::of(err)?;
            page.form = form;
            Ok(layout::page(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            )?)
        }
    }
}

#[derive(Template)]
#[template(path = "web/committees/show.html")]
struct ShowPage {
    layout: Layout,
    committee: CommitteeLine,
    seats: Vec<MembershipRow>,
    seat_form: SeatForm,
    meetings: Vec<MeetingLine>,
    meetings_total: i64,
    can_write: bool,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (scope, id, today) = (staff.caller.scope(), id.into_inner(), state.clock.today());
    let (committee, seats, (meetings, meetings_total)) = state
        .db
        .read(move |conn| {
            let committee = committees::get(conn, &scope, &id)?;
            let seats = memberships::memberships(conn, &scope, &id, today, false)?;
            let meetings = crate::domain::meetings::list(
                conn,
                &scope,
                &id,
                crate::store::Page {
                    limit: 20,
                    offset: 0,
                },
            )?;
            Ok((committee, seats, meetings))
        })
        .await?;
    let can_write = staff.can::<need::Write>();
    let seat_form = if can_write {
        SeatForm::blank(&state, &staff, &committee, &seats).await?
    } else {
        SeatForm::default()
    };
    let page = ShowPage {
        layout: Layout::staff(
            &staff,
            &committee.name,
            Nav::Committees,
            &[("Tableau de bord", DASHBOARD), ("Comités", COMMITTEES)],
        ),
        seats: seat_rows(&committee.id, &seats),
        seat_form,
        meetings: meetings.into_iter().map(MeetingLine::of).collect(),
        meetings_total,
        committee: CommitteeLine {
            href: committee_href(&committee.id),
            kind: committee.kind.label(),
            description: committee.description.clone().unwrap_or_default(),
            name: committee.name.clone(),
        },
        can_write,
    };
    Ok(layout::ok(&page)?)
}
