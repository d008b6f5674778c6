//! "Administration": structures, users and roles (administrators), the
//! audit log (administrators and the secrétariat, within its structure).
//! The secrétariat also manages the reader and secrétariat accounts of its
//! own structure (`domain::accounts::users` holds who may do what).

mod audit;
mod labels;
mod structures;
mod users;

use actix_web::{HttpResponse, web};
use askama::Template;

use super::ADMIN;
use crate::auth::caller::need;
use crate::web::error::WebResult;
use crate::web::layout::{self, Layout, Nav};
use crate::web::session::StaffCan;

pub const STRUCTURES: &str = "/administration/structures";
pub const USERS: &str = "/administration/utilisateurs";
pub const AUDIT: &str = "/administration/journal";

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route(ADMIN, web::get().to(index))
        .route(STRUCTURES, web::get().to(structures::list))
        .route(
            "/administration/structures/nouvelle",
            web::get().to(structures::new_form),
        )
        .route(
            "/administration/structures/nouvelle",
            web::post().to(structures::create),
        )
        .route(
            "/administration/structures/{id}/modifier",
            web::get().to(structures::edit_form),
        )
        .route(
            "/administration/structures/{id}/modifier",
            web::post().to(structures::update),
        )
        .route(USERS, web::get().to(users::list))
        .route(
            "/administration/utilisateurs/nouveau",
            web::get().to(users::new_form),
        )
        .route(
            "/administration/utilisateurs/nouveau",
            web::post().to(users::create),
        )
        .route(
            "/administration/utilisateurs/{id}/modifier",
            web::get().to(users::edit_form),
        )
        .route(
            "/administration/utilisateurs/{id}/modifier",
            web::post().to(users::update),
        )
        .route(
            "/administration/utilisateurs/{id}/desactiver",
            web::post().to(users::disable),
        )
        .route(
            "/administration/utilisateurs/{id}/activer",
            web::post().to(users::enable),
        )
        .route(AUDIT, web::get().to(audit::list));
}

pub fn structure_href(id: &str) -> String {
    format!("{STRUCTURES}/{id}/modifier")
}

pub fn user_href(id: &str) -> String {
    format!("{USERS}/{id}/modifier")
}

/// The breadcrumb above every administration page.
const TRAIL: &[(&str, &str)] = &[
    ("Tableau de bord", super::DASHBOARD),
    ("Administration", ADMIN),
];

#[derive(Template)]
#[template(path = "web/admin/index.html")]
struct IndexPage {
    layout: Layout,
    structures: bool,
    users: bool,
}

/// What the caller may do here.
async fn index(StaffCan(staff, _): StaffCan<need::ReadAudit>) -> WebResult<HttpResponse> {
    let page = IndexPage {
        layout: Layout::staff(
            &staff,
            "Administration",
            Nav::Admin,
            &[("Tableau de bord", super::DASHBOARD)],
        ),
        structures: staff.can::<need::ManageStructures>(),
        users: staff.can::<need::ManageUsers>(),
    };
    Ok(layout::ok(&page)?)
}
