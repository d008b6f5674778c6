//! What every page's layout (`templates/web/base.html`) shows: the title,
//! the header (the structure's Marianne block, the signed-in user), the
//! main navigation, the breadcrumb; and how a page becomes a response.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::assets;
use super::calls::StructureHeader;
use super::session::Staff;
use crate::error::AppError;

/// The main navigation's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    None,
    Dashboard,
    Registry,
    Committees,
    Meetings,
    Actions,
    Signing,
    Admin,
    Account,
}

/// One step of the breadcrumb; the last one is the current page.
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

pub struct NavLink {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

pub struct Layout {
    /// The page's own title; the document's is "{title} — clu".
    pub title: String,
    /// Lines of the Marianne block: "Préfecture", "de la Haute-Marne".
    pub logo_lines: Vec<String>,
    pub tagline: String,
    /// The signed-in user's name; `None` on the sign-in and error pages.
    pub user_name: Option<String>,
    /// The form token of the sign-out button (and of the page's forms).
    pub csrf: String,
    pub nav: Vec<NavLink>,
    pub breadcrumb: Vec<Crumb>,
    /// The confirmation of the last action, shown once above the page.
    pub flash: Option<String>,
    pub css: String,
    pub own_css: String,
    pub js_module: String,
    pub js_nomodule: String,
    pub htmx: String,
    pub own_js: String,
    pub favicon: String,
}

const TAGLINE: &str = "Comités locaux des usagers";

/// "Préfecture de la Haute-Marne" as the two lines of the Marianne block.
fn logo_lines(structure: Option<&StructureHeader>) -> Vec<String> {
    let Some(name) = structure.map(|s| s.name.trim()).filter(|n| !n.is_empty()) else {
        return vec!["République".into(), "Française".into()];
    };
    for joint in [" de ", " du ", " des ", " d’", " d'"] {
        if let Some(at) = name.find(joint) {
            return vec![name[..at].to_owned(), name[at + 1..].to_owned()];
        }
    }
    vec![name.to_owned()]
}

impl Layout {
    fn base(title: &str, structure: Option<&StructureHeader>) -> Self {
        Self {
            title: title.to_owned(),
            logo_lines: logo_lines(structure),
            tagline: structure
                .map(|s| format!("{TAGLINE} — {}", s.service_name))
                .unwrap_or_else(|| TAGLINE.to_owned()),
            user_name: None,
            csrf: String::new(),
            nav: Vec::new(),
            breadcrumb: Vec::new(),
            flash: None,
            css: assets::dsfr("dsfr.min.css"),
            own_css: assets::own_css(),
            js_module: assets::dsfr("dsfr.module.min.js"),
            js_nomodule: assets::dsfr("dsfr.nomodule.min.js"),
            htmx: assets::htmx(),
            own_js: assets::own_js(),
            favicon: assets::dsfr("favicon/favicon.svg"),
        }
    }

    /// A page for someone not signed in (sign-in, errors).
    pub fn public(title: &str, csrf: String) -> Self {
        Self {
            csrf,
            ..Self::base(title, None)
        }
    }

    /// A page of the signed-in staff, with its navigation and breadcrumb
    /// (`trail`: the pages above this one, then this one).
    pub fn staff(staff: &Staff, title: &str, nav: Nav, trail: &[(&str, &str)]) -> Self {
        let mut layout = Self::base(title, staff.structure.as_ref());
        layout.user_name = Some(staff.caller.display_name.clone());
        layout.csrf = staff.csrf.clone();
        // Set in French typography, as every text shown ("« X » créé").
        layout.flash = staff.flash.as_deref().map(crate::french::typography::text);
        layout.nav = nav_links(staff, nav);
        layout.breadcrumb = trail
            .iter()
            .map(|(label, href)| Crumb {
                label: (*label).to_owned(),
                href: Some((*href).to_owned()),
            })
            .chain(std::iter::once(Crumb {
                label: title.to_owned(),
                href: None,
            }))
            .collect();
        layout
    }
}

/// The main navigation as the caller's role sees it: "À signer" for the
/// signatories, "Administration" for who may read the audit log.
fn nav_links(staff: &Staff, current: Nav) -> Vec<NavLink> {
    use crate::auth::caller::need;
    [
        ("Tableau de bord", super::DASHBOARD, Nav::Dashboard, true),
        ("Registre", super::REGISTRY, Nav::Registry, true),
        ("Comités", super::COMMITTEES, Nav::Committees, true),
        ("Réunions", super::MEETINGS, Nav::Meetings, true),
        ("Plans d’action", super::ACTIONS, Nav::Actions, true),
        (
            "À signer",
            super::TO_SIGN,
            Nav::Signing,
            staff.can::<need::Sign>(),
        ),
        (
            "Administration",
            super::ADMIN,
            Nav::Admin,
            staff.can::<need::ReadAudit>(),
        ),
        ("Mon compte", super::ACCOUNT, Nav::Account, true),
    ]
    .into_iter()
    .filter(|(_, _, _, shown)| *shown)
    .map(|(label, href, entry, _)| NavLink {
        label,
        href,
        current: entry == current,
    })
    .collect()
}

/// Rows per page of the long lists.
pub const PAGE_SIZE: i64 = 50;

/// The paging of a long list (`templates/web/partials/pager.html`): pages
/// are numbered from 1 in the `page` query parameter; the links keep the
/// list's other parameters (`query`, already encoded).
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The `store::Page` of page `page` (1 when absent or out of range).
    pub fn page_of(page: Option<i64>) -> crate::store::Page {
        let page = page.unwrap_or(1).clamp(1, 1_000_000);
        crate::store::Page {
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        }
    }

    pub fn new(path: &str, query: &str, page: Option<i64>, total: i64) -> Self {
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = page.unwrap_or(1).clamp(1, pages);
        let link = |n: i64| {
            let joint = if query.is_empty() { "" } else { "&" };
            format!("{path}?{query}{joint}page={n}")
        };
        Self {
            page,
            pages,
            total,
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// Renders a page with the status given.
pub fn page(status: StatusCode, template: &impl Template) -> Result<HttpResponse, AppError> {
    let body = template
        .render()
        .map_err(|e| AppError::internal(format!("template: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

pub fn ok(template: &impl Template) -> Result<HttpResponse, AppError> {
    page(StatusCode::OK, template)
}

/// After a successful POST: see the result with a GET (POST-redirect-GET).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_keep_the_list_parameters() {
        let pager = Pager::new("/registre/membres", "q=dupont", Some(2), 120);
        assert_eq!(pager.pages, 3);
        assert_eq!(
            pager.previous.as_deref(),
            Some("/registre/membres?q=dupont&page=1")
        );
        assert_eq!(
            pager.next.as_deref(),
            Some("/registre/membres?q=dupont&page=3")
        );
        let alone = Pager::new("/comites", "", Some(9), 0);
        assert_eq!((alone.page, alone.pages), (1, 1));
        assert!(alone.previous.is_none() && alone.next.is_none());
        assert_eq!(Pager::page_of(Some(3)).offset, 2 * PAGE_SIZE);
        assert_eq!(Pager::page_of(Some(-4)).offset, 0);
    }

    #[test]
    fn the_structure_name_makes_the_marianne_block() {
        let header = StructureHeader {
            name: "Préfecture de la Haute-Marne".into(),
            service_name: "SGCD".into(),
        };
        assert_eq!(
            logo_lines(Some(&header)),
            ["Préfecture", "de la Haute-Marne"]
        );
        assert_eq!(logo_lines(None), ["République", "Française"]);
    }
}
