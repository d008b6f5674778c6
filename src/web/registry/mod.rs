//! The registry's pages (`/registre/…`): members, organizations, the CSV
//! import and export, and the GDPR rights. Thin handlers over the same
//! domain functions as `api::members` and `api::organizations`.

pub mod gdpr;
pub mod import;
pub mod labels;
pub mod member_form;
pub mod members;
pub mod organizations;

use crate::methods::Pages;
use actix_web::HttpResponse;

use super::REGISTRY;
use super::layout;

pub const MEMBERS: &str = "/registre/membres";
pub const ORGANIZATIONS: &str = "/registre/organisations";
pub const IMPORT: &str = "/registre/import";

pub fn routes(cfg: &mut Pages) {
    cfg.get(REGISTRY, index)
        // Fixed paths before `{id}`, which would take them.
        .get(MEMBERS, members::list)
        .get("/registre/membres.csv", members::export_csv)
        .get("/registre/membres/nouveau", member_form::new_form)
        .post("/registre/membres/nouveau", member_form::create)
        .get("/registre/membres/{id}", members::show)
        .get("/registre/membres/{id}/modifier", member_form::edit_form)
        .post("/registre/membres/{id}/modifier", member_form::update)
        .get("/registre/membres/{id}/archiver", members::remove_form)
        .post("/registre/membres/{id}/archiver", members::remove)
        .get("/registre/membres/{id}/donnees", gdpr::export)
        .get("/registre/membres/{id}/anonymiser", gdpr::confirm)
        .post("/registre/membres/{id}/anonymiser", gdpr::anonymize)
        .get(ORGANIZATIONS, organizations::list)
        .get("/registre/organisations/nouvelle", organizations::new_form)
        .post("/registre/organisations/nouvelle", organizations::create)
        .get(
            "/registre/organisations/{id}/modifier",
            organizations::edit_form,
        )
        .post(
            "/registre/organisations/{id}/modifier",
            organizations::update,
        )
        .get(
            "/registre/organisations/{id}/supprimer",
            organizations::remove_form,
        )
        .post(
            "/registre/organisations/{id}/supprimer",
            organizations::remove,
        )
        .get(IMPORT, import::form)
        .post("/registre/import/verification", import::verify)
        .post(IMPORT, import::run);
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
