//! The HTTP API: thin handlers per resource, the route table, and the
//! OpenAPI document generated from both.

pub mod actions;
pub mod agenda;
pub mod audit;
pub mod auth;
pub mod committees;
pub mod extract;
pub mod health;
pub mod indicators;
pub mod invitations;
pub mod meetings;
pub mod members;
pub mod memberships;
pub mod minutes;
pub mod organizations;
pub mod rsvp;
pub mod structures;
pub mod users;
pub mod verify;

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::AppError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "clu",
        description = "Comités Locaux des Usagers : registre, réunions, invitations, comptes-rendus et plans d'actions."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Staff authentication"),
        (name = "structures", description = "Public services running committees"),
        (name = "users", description = "Staff accounts"),
        (name = "registry", description = "Organizations, members, committees and memberships"),
        (name = "meetings", description = "Meetings, their lifecycle and agenda"),
        (name = "invitations", description = "Invitations, reminders and attendance"),
        (name = "rsvp", description = "Answering an invitation by its link, without an account"),
        (name = "actions", description = "The action plan followed across meetings"),
        (name = "indicators", description = "Quality indicators and the annual report"),
        (name = "minutes", description = "Minutes, sign-off, the compte-rendu and its verification"),
        (name = "audit", description = "Audit trail"),
        (name = "health", description = "Probes"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every route under `/api/v1`.
pub fn v1(config: &mut ServiceConfig) {
    config.service(
        scope::scope("/api/v1")
            .service(auth::login)
            .service(auth::me)
            .service(structures::list)
            .service(structures::create)
            .service(structures::get)
            .service(structures::update)
            .service(users::list)
            .service(users::create)
            .service(users::get)
            .service(users::update)
            .service(users::remove)
            .service(organizations::list)
            .service(organizations::create)
            .service(organizations::get)
            .service(organizations::update)
            .service(organizations::remove)
            // Fixed paths before `/members/{id}`.
            .service(members::import)
            .service(members::export_csv)
            .service(members::list)
            .service(members::create)
            .service(members::get)
            .service(members::update)
            .service(members::remove)
            .service(members::export)
            .service(members::anonymize)
            .service(committees::list)
            .service(committees::create)
            .service(committees::get)
            .service(committees::update)
            .service(memberships::list)
            .service(memberships::create)
            .service(memberships::update)
            .service(memberships::remove)
            .service(meetings::list)
            .service(meetings::create)
            .service(meetings::get)
            .service(meetings::update)
            .service(meetings::cancel)
            .service(meetings::hold)
            .service(meetings::convocation)
            // The fixed path before `/meetings/{id}/agenda-items`'s siblings.
            .service(agenda::reorder)
            .service(agenda::list)
            .service(agenda::create)
            .service(agenda::update)
            .service(agenda::remove)
            .service(invitations::invite)
            .service(invitations::list)
            .service(invitations::remind)
            .service(invitations::attendance)
            .service(invitations::record)
            .service(rsvp::answer_json)
            .service(actions::export_csv)
            .service(actions::list)
            .service(actions::create)
            .service(actions::get)
            .service(actions::update)
            .service(actions::history)
            .service(indicators::list)
            .service(indicators::create)
            .service(indicators::get)
            .service(indicators::record_value)
            .service(indicators::report)
            .service(indicators::report_html)
            .service(minutes::get)
            .service(minutes::save)
            .service(minutes::submit)
            .service(minutes::return_to_draft)
            .service(minutes::sign)
            .service(minutes::revise)
            .service(minutes::html)
            .service(minutes::markdown)
            .service(minutes::pdf)
            .service(minutes::distribute)
            .service(minutes::recipients)
            .service(audit::list)
            // Not a documented operation itself.
            .route("/openapi.json", web::get().to(openapi_json)),
    );
}

/// The OpenAPI document collected from the routes, shared by the workers.
pub struct OpenApiDocument(pub utoipa::openapi::OpenApi);

async fn openapi_json(doc: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok().json(&doc.0)
}

/// Probes, outside the API prefix.
pub fn probes(config: &mut ServiceConfig) {
    config.service(health::healthz).service(health::readyz);
}

/// The pages of the answer link, outside the API prefix.
pub fn pages(config: &mut ServiceConfig) {
    config
        .service(rsvp::page)
        .service(rsvp::answer_form)
        .service(verify::verify);
}

/// Unknown routes (and known paths with another method): 404 problem+json.
pub async fn not_found(_: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&AppError::NotFound)
}
