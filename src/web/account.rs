//! `GET /compte`: the signed-in user's account.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::WebResult;
use super::layout::{self, Layout, Nav};
use super::session::Staff;
use super::{DASHBOARD, calls};
use crate::auth::policy::Role;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "web/account.html")]
struct AccountPage {
    layout: Layout,
    display_name: String,
    email: String,
    role: &'static str,
    structure: String,
    last_login: String,
    created: String,
}

/// The role as the secrétariat says it.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrateur",
        Role::Secretariat => "Secrétariat",
        Role::Signatory => "Signataire",
        Role::Reader => "Lecture seule",
    }
}

pub async fn page(state: web::Data<AppState>, staff: Staff) -> WebResult<HttpResponse> {
    let user = calls::account(&state, &staff.caller).await?;
    let page = AccountPage {
        layout: Layout::staff(
            &staff,
            "Mon compte",
            Nav::Account,
            &[("Tableau de bord", DASHBOARD)],
        ),
        display_name: user.display_name,
        email: user.email,
        role: role_label(user.role),
        structure: staff
            .structure
            .as_ref()
            .map_or_else(|| "Toutes (administration)".to_owned(), |s| s.name.clone()),
        last_login: user
            .last_login_at
            .map_or_else(|| "jamais".to_owned(), crate::french::date_time),
        created: crate::french::long_date_of(user.created_at),
    };
    Ok(layout::ok(&page)?)
}
