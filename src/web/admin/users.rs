//! Users and roles: the accounts the caller manages (administrators: every
//! structure's, filtered by structure; the secrétariat: its own), a new
//! account, its name and role, disabling and enabling it. Who may give
//! which role is the domain's rule (`domain::accounts::users`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{TRAIL, USERS, user_href};
use crate::auth::caller::need;
use crate::auth::{Caller, Role, password};
use crate::domain::accounts::structures;
use crate::domain::accounts::users::{self, NewUser, PreparedUser, User, UserPatch};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{Page, Scope};
use crate::web::account::role_label;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav, Pager};
use crate::web::session::{Staff, StaffCan};

pub struct UserLine {
    pub id: String,
    pub href: Option<String>,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub structure: String,
    pub active: bool,
    /// Whether the caller may disable or enable it (never one's own).
    pub can_toggle: bool,
}

#[derive(Template)]
#[template(path = "web/admin/users.html")]
struct ListPage {
    layout: Layout,
    users: Vec<UserLine>,
    pager: Pager,
    /// Administrators filter by structure: (id, name), the chosen one.
    structures: Vec<(String, String)>,
    structure: String,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    structure: Option<String>,
    page: Option<i64>,
}

/// Every structure's name, for an administrator (one page is enough: a
/// country has about a hundred départements).
async fn structure_names(state: &AppState, caller: &Caller) -> WebResult<Vec<(String, String)>> {
    if caller.role != Role::Admin {
        return Ok(Vec::new());
    }
    let (items, _) = state
        .db
        .read(|conn| {
            structures::list(
                conn,
                &Scope::All,
                Page {
                    limit: 1000,
                    offset: 0,
                },
            )
        })
        .await?;
    Ok(items.into_iter().map(|s| (s.id, s.name)).collect())
}

pub async fn list(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageUsers>,
    query: web::Query<ListQuery>,
) -> WebResult<HttpResponse> {
    let query = query.into_inner();
    let structure = query.structure.and_then(|s| form::text(&s));
    let (scope, page) = (staff.caller.scope(), Pager::page_of(query.page));
    let filter = structure.clone();
    let (items, total) = state
        .db
        .read(move |conn| users::list(conn, &scope, filter.as_deref(), page))
        .await?;
    let structures = structure_names(&state, &staff.caller).await?;
    let name_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| structures.iter().find(|(s, _)| s == id))
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    let caller = &staff.caller;
    let users = items
        .into_iter()
        .map(|user| {
            let manageable = users::manageable(caller, &user);
            UserLine {
                href: manageable.then(|| user_href(&user.id)),
                can_toggle: manageable && user.id != caller.user_id,
                structure: name_of(&user.structure_id),
                role: role_label(user.role),
                id: user.id,
                name: user.display_name,
                email: user.email,
                active: user.active,
            }
        })
        .collect();
    let filter_query = structure
        .as_ref()
        .map(|s| serde_urlencoded::to_string([("structure", s)]).unwrap_or_default())
        .unwrap_or_default();
    let page = ListPage {
        layout: Layout::staff(&staff, "Utilisateurs et rôles", Nav::Admin, TRAIL),
        users,
        pager: Pager::new(USERS, &filter_query, query.page, total),
        structures,
        structure: structure.unwrap_or_default(),
    };
    Ok(layout::ok(&page)?)
}

/// The account form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    structure_id: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "web/admin/user_form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    /// A new account (e-mail, structure and password asked).
    new: bool,
    form: UserForm,
    roles: Vec<(String, String)>,
    structures: Vec<(String, String)>,
    errors: Errors,
}

fn roles(caller: &Caller) -> Vec<(String, String)> {
    users::grantable(caller)
        .into_iter()
        .map(|r| (r.as_str().to_owned(), role_label(r).to_owned()))
        .collect()
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    title: &str,
    action: String,
    form: UserForm,
) -> WebResult<FormPage> {
    let trail = [TRAIL, &[("Utilisateurs et rôles", USERS)]].concat();
    Ok(FormPage {
        layout: Layout::staff(staff, title, Nav::Admin, &trail),
        new: action == NEW,
        action,
        form,
        roles: roles(&staff.caller),
        structures: structure_names(state, &staff.caller).await?,
        errors: Errors::default(),
    })
}

impl FormPage {
    fn refused(mut self, form: UserForm, err: AppError) -> WebResult<HttpResponse> {
        self.errors = match err {
            // One's own role: said beside the field.
            AppError::Conflict(reason) => Errors::one("role", &reason),
            other => Errors::of(other)?,
        };
        self.form = UserForm {
            password: String::new(),
            ..form
        };
        Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &self)?)
    }
}

const NEW: &str = "/administration/utilisateurs/nouveau";

pub async fn new_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageUsers>,
) -> WebResult<HttpResponse> {
    let form = UserForm {
        role: Role::Reader.as_str().into(),
        ..UserForm::default()
    };
    let page = form_page(&state, &staff, "Nouvel utilisateur", NEW.into(), form).await?;
    Ok(layout::ok(&page)?)
}

pub async fn create(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageUsers>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> WebResult<HttpResponse> {
    let page = form_page(
        &state,
        &staff,
        "Nouvel utilisateur",
        NEW.into(),
        UserForm::default(),
    )
    .await?;
    let Some(role) = Role::parse(&form.role) else {
        return page.refused(form, AppError::validation("role", "Choisissez un rôle."));
    };
    let mut input = NewUser {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        role,
        structure_id: form::text(&form.structure_id).filter(|_| role != Role::Admin),
        password: form.password.clone(),
    };
    if let Err(err) = users::check_new(&mut input) {
        return page.refused(form, err);
    }
    let plain = input.password.clone();
    let password_hash = web::block(move || password::hash(&plain))
        .await
        .map_err(|e| AppError::internal(format!("blocking: {e}")))??;
    let (caller, now) = (staff.caller.clone(), state.clock.now());
    let prepared = move || PreparedUser {
        input: input.clone(),
        password_hash: password_hash.clone(),
    };
    match state
        .db
        .write(move |conn| users::create(conn, &caller, now, prepared()))
        .await
    {
        Ok(user) => {
            staff.flash(format!(
                "Compte de {} créé ({}). Transmettez-lui son mot de passe initial par un autre canal que l’e-mail.",
                user.display_name,
                role_label(user.role)
            ));
            Ok(layout::see_other(USERS))
        }
        Err(AppError::Conflict(reason)) => {
            page.refused(form, AppError::validation("email", &reason))
        }
        Err(err) => page.refused(form, err),
    }
}

async fn user(state: &AppState, staff: &Staff, id: String) -> WebResult<User> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| users::get(conn, &scope, &id))
        .await?)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageUsers>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let user = user(&state, &staff, id.into_inner()).await?;
    if !users::manageable(&staff.caller, &user) {
        return Err(AppError::Forbidden.into());
    }
    let form = UserForm {
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role.as_str().into(),
        ..UserForm::default()
    };
    let title = format!("Modifier le compte de {}", user.display_name);
    let page = form_page(&state, &staff, &title, user_href(&user.id), form).await?;
    Ok(layout::ok(&page)?)
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageUsers>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> WebResult<HttpResponse> {
    let before = user(&state, &staff, id.into_inner()).await?;
    let title = format!("Modifier le compte de {}", before.display_name);
    let page = form_page(
        &state,
        &staff,
        &title,
        user_href(&before.id),
        UserForm::default(),
    )
    .await?;
    let form = UserForm {
        email: before.email.clone(),
        ..form
    };
    let Some(role) = Role::parse(&form.role) else {
        return page.refused(form, AppError::validation("role", "Choisissez un rôle."));
    };
    let mut patch = UserPatch {
        display_name: Some(form.display_name.clone()),
        role: Some(role),
        ..UserPatch::default()
    };
    if let Err(err) = users::check_patch(&staff.caller, &before.id, &mut patch) {
        return page.refused(form, err);
    }
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), before.id.clone());
    match state
        .db
        .write(move |conn| users::update(conn, &caller, now, &id, patch.clone(), None))
        .await
    {
        Ok(user) => {
            staff.flash(format!(
                "Compte de {} enregistré ({}).",
                user.display_name,
                role_label(user.role)
            ));
            Ok(layout::see_other(USERS))
        }
        Err(err) => page.refused(form, err),
    }
}

/// Disables or enables an account; a disabled user's session ends at their
/// next click (the token version changes).
async fn set_active(
    state: &AppState,
    staff: &Staff,
    id: String,
    active: bool,
) -> WebResult<HttpResponse> {
    let (caller, now) = (staff.caller.clone(), state.clock.now());
    let patch = UserPatch {
        active: Some(active),
        ..UserPatch::default()
    };
    let user = state
        .db
        .write(move |conn| users::update(conn, &caller, now, &id, patch.clone(), None))
        .await?;
    staff.flash(if active {
        format!("Compte de {} réactivé.", user.display_name)
    } else {
        format!(
            "Compte de {} désactivé : sa session prend fin dès sa prochaine action.",
            user.display_name
        )
    });
    Ok(layout::see_other(USERS))
}

pub async fn disable(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageUsers>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    set_active(&state, &staff, id.into_inner(), false).await
}

pub async fn enable(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::ManageUsers>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    set_active(&state, &staff, id.into_inner(), true).await
}
