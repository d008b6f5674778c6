//! "Administration": structures, users and roles (administrators), the
//! audit log (administrators and the secrétariat, within its structure).
//! The secrétariat also manages the reader and secrétariat accounts of its
//! own structure (`domain::accounts::users` holds who may do what).

mod audit;
mod labels;
mod structures;
mod users;

use crate::methods::Pages;
use actix_web::HttpResponse;
use askama::Template;

use super::ADMIN;
use crate::auth::caller::need;
use crate::web::error::WebResult;
use crate::web::layout::{self, Layout, Nav};
use crate::web::session::StaffCan;

pub const STRUCTURES: &str = "/administration/structures";
pub const USERS: &str = "/administration/utilisateurs";
pub const AUDIT: &str = "/administration/journal";

pub fn routes(config: &mut Pages) {
    config
        .get(ADMIN, index)
        .get(STRUCTURES, structures::list)
        .get("/administration/structures/nouvelle", structures::new_form)
        .post("/administration/structures/nouvelle", structures::create)
        .get(
            "/administration/structures/{id}/modifier",
            structures::edit_form,
        )
        .post(
            "/administration/structures/{id}/modifier",
            structures::update,
        )
        .get(USERS, users::list)
        .get("/administration/utilisateurs/nouveau", users::new_form)
        .post("/administration/utilisateurs/nouveau", users::create)
        .get(
            "/administration/utilisateurs/{id}/modifier",
            users::edit_form,
        )
        .post("/administration/utilisateurs/{id}/modifier", users::update)
        .post(
            "/administration/utilisateurs/{id}/desactiver",
            users::disable,
        )
        .post("/administration/utilisateurs/{id}/activer", users::enable)
        .get(AUDIT, audit::list);
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
