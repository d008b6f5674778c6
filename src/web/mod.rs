//! The staff web interface: French pages over the same domain functions as
//! the JSON API (a second adapter, holding no rule of its own). Plain HTML
//! forms that post and redirect; the DSFR for the look; askama templates
//! under `templates/web/`, checked at compile time.
//!
//! Everything here lives in one scope with its own middleware: the
//! encrypted session cookie (never seen by `/api/v1`, which keeps its
//! bearer tokens), the same-origin check of unsafe requests, and the
//! security headers of every page.

pub mod account;
pub mod actions;
pub mod admin;
pub mod assets;
pub mod calls;
pub mod committees;
pub mod csrf;
pub mod dashboard;
pub mod error;
pub mod filters;
pub mod form;
pub mod layout;
pub mod login;
pub mod meetings;
pub mod minutes;
pub mod paths;
pub mod proconnect;
pub mod registry;
pub mod reports;
pub mod session;

use actix_session::SessionMiddleware;
use actix_session::storage::CookieSessionStore;
use actix_web::dev::Service;

use crate::methods::{AllowTable, Pages};
use actix_web::http::header;
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{HttpRequest, HttpResponse, ResponseError, guard, web};
use futures_util::FutureExt;
use futures_util::future::{Either, ready};

pub use error::{WebError, WebResult};

pub const SIGN_IN: &str = "/connexion";
pub const SIGN_OUT: &str = "/deconnexion";
pub const DASHBOARD: &str = "/tableau-de-bord";
pub const ACCOUNT: &str = "/compte";
pub const REGISTRY: &str = "/registre";
pub const COMMITTEES: &str = "/comites";
pub const MEETINGS: &str = "/reunions";
pub const ACTIONS: &str = "/plans-d-action";
pub const TO_SIGN: &str = "/a-signer";
pub const ADMIN: &str = "/administration";

/// Scripts and styles from clu only (no inline script or style, which the
/// DSFR and htmx, configured by their `<meta>`, do not need); no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The embedded assets, outside the session's scope (no cookie, cached).
pub fn static_files(config: &mut web::ServiceConfig) {
    config.service(
        web::resource(format!("{}/{{path:.*}}", assets::PREFIX))
            .guard(guard::Any(guard::Get()).or(guard::Head()))
            .wrap(Compress::default())
            .to(assets::serve),
    );
}

/// Every page, in one scope. Registered last: the scope's empty prefix
/// takes any path the API, the probes and the answer pages left.
pub fn pages(
    config: &mut web::ServiceConfig,
    session: SessionMiddleware<CookieSessionStore>,
    table: &AllowTable,
) {
    config.service(
        web::scope("")
            .wrap(session)
            .wrap_fn(|req, service| {
                if csrf::same_origin(&req) {
                    Either::Left(
                        service
                            .call(req)
                            .map(|res| res.map(|r| r.map_into_left_body())),
                    )
                } else {
                    tracing::warn!(path = req.path(), "cross-site web request refused");
                    let response = WebError::CrossSite.error_response();
                    Either::Right(ready(Ok(req.into_response(response).map_into_right_body())))
                }
            })
            .wrap(security_headers())
            .configure(|config| {
                let mut pages = Pages::new(config, table);
                pages
                    .get("/", index)
                    .get(SIGN_IN, login::page)
                    .post(SIGN_IN, login::submit)
                    .post(SIGN_OUT, login::sign_out)
                    .get(proconnect::START, proconnect::start)
                    .get(proconnect::RETURN, proconnect::callback)
                    .get(proconnect::AFTER_SIGN_OUT, proconnect::after_sign_out)
                    .get(DASHBOARD, dashboard::page)
                    .get(ACCOUNT, account::page)
                    .post("/compte/nom", account::rename)
                    .post("/compte/mot-de-passe", account::change_password);
                registry::routes(&mut pages);
                committees::routes(&mut pages);
                meetings::routes(&mut pages);
                minutes::routes(&mut pages);
                actions::routes(&mut pages);
                reports::routes(&mut pages);
                admin::routes(&mut pages);
            }),
    );
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Cache-Control", "no-store"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
}

/// `/`: the dashboard when signed in (it checks the session), else sign-in.
async fn index(session: actix_session::Session) -> HttpResponse {
    if session::is_signed_in(&session) {
        layout::see_other(DASHBOARD)
    } else {
        layout::see_other(SIGN_IN)
    }
}

/// Unknown paths: a French page for a browser, problem+json for the API
/// and for clients that do not ask for HTML.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    crate::methods::unrouted(not_found_page(req).await)
}

async fn not_found_page(req: HttpRequest) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html && !req.path().starts_with("/api/") {
        let mut response = WebError::App(crate::error::AppError::NotFound).error_response();
        let headers = response.headers_mut();
        for (name, value) in [
            ("content-security-policy", CONTENT_SECURITY_POLICY),
            ("referrer-policy", "same-origin"),
        ] {
            headers.insert(
                header::HeaderName::from_static(name),
                header::HeaderValue::from_static(value),
            );
        }
        response
    } else {
        crate::api::not_found(req).await
    }
}
