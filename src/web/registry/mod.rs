//! The registry's pages (`/registre/…`): members, organizations, the CSV
//! import and export, and the GDPR rights. Thin handlers over the same
//! domain functions as `api::members` and `api::organizations`.

pub mod gdpr;
pub mod import;
pub mod labels;
pub mod member_form;
pub mod members;
pub mod organizations;

use actix_web::{HttpResponse, web};

use super::REGISTRY;
use super::layout;

pub const MEMBERS: &str = "/registre/membres";
pub const ORGANIZATIONS: &str = "/registre/organisations";
pub const IMPORT: &str = "/registre/import";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(REGISTRY, web::get().to(index))
        // Fixed paths before `{id}`, which would take them.
        .route(MEMBERS, web::get().to(members::list))
        .route("/registre/membres.csv", web::get().to(members::export_csv))
        .route(
            "/registre/membres/nouveau",
            web::get().to(member_form::new_form),
        )
        .route(
            "/registre/membres/nouveau",
            web::post().to(member_form::create),
        )
        .route("/registre/membres/{id}", web::get().to(members::show))
        .route(
            "/registre/membres/{id}/modifier",
            web::get().to(member_form::edit_form),
        )
        .route(
            "/registre/membres/{id}/modifier",
            web::post().to(member_form::update),
        )
        .route(
            "/registre/membres/{id}/archiver",
            web::get().to(members::remove_form),
        )
        .route(
            "/registre/membres/{id}/archiver",
            web::post().to(members::remove),
        )
        .route(
            "/registre/membres/{id}/donnees",
            web::get().to(gdpr::export),
        )
        .route(
            "/registre/membres/{id}/anonymiser",
            web::get().to(gdpr::confirm),
        )
        .route(
            "/registre/membres/{id}/anonymiser",
            web::post().to(gdpr::anonymize),
        )
        .route(ORGANIZATIONS, web::get().to(organizations::list))
        .route(
            "/registre/organisations/nouvelle",
            web::get().to(organizations::new_form),
        )
        .route(
            "/registre/organisations/nouvelle",
            web::post().to(organizations::create),
        )
        .route(
            "/registre/organisations/{id}/modifier",
            web::get().to(organizations::edit_form),
        )
        .route(
            "/registre/organisations/{id}/modifier",
            web::post().to(organizations::update),
        )
        .route(
            "/registre/organisations/{id}/supprimer",
            web::get().to(organizations::remove_form),
        )
        .route(
            "/registre/organisations/{id}/supprimer",
            web::post().to(organizations::remove),
        )
        .route(IMPORT, web::get().to(import::form))
        .route(
            "/registre/import/verification",
            web::post().to(import::verify),
        )
        .route(IMPORT, web::post().to(import::run));
}

/// `/registre`: the members are the registry's first page.
async fn index() -> HttpResponse {
    layout::see_other(MEMBERS)
}

/// The breadcrumb above every registry page.
pub const TRAIL: (&str, &str) = ("Tableau de bord", super::DASHBOARD);

/// The value of a query parameter, `None` when absent or blank.
pub fn param(value: &Option<String>) -> Option<String> {
    value.as_deref().and_then(super::form::text)
}

/// `page=3` of a list's query, ignoring what is not a number.
pub fn page_number(value: &Option<String>) -> Option<i64> {
    value.as_deref().and_then(|v| v.trim().parse().ok())
}

/// Query-string encoding of a list's parameters, for its paging links.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parameters_are_encoded_without_the_blank_ones() {
        assert_eq!(
            encode(&[("q", "élise m"), ("organisation", ""), ("archives", "1")]),
            "q=%C3%A9lise+m&archives=1"
        );
        assert_eq!(page_number(&Some(" 2 ".into())), Some(2));
        assert_eq!(page_number(&Some("deux".into())), None);
        assert_eq!(param(&Some("  ".into())), None);
    }
}
