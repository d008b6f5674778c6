//! The HTTP API: thin handlers per resource, the route table, and the
//! OpenAPI document generated from both.

pub mod actions;
pub mod agenda;
pub mod annexes;
pub mod audit;
pub mod auth;
mod caller;
pub mod committees;
mod conditional;
pub mod extract;
pub mod health;
pub mod indicators;
pub mod invitations;
pub mod meetings;
pub mod members;
pub mod memberships;
pub mod minutes;
pub mod organizations;
pub mod problems;
pub mod rsvp;
pub mod structures;
pub mod users;
pub mod verify;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::RefOr;
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
    // Referenced by the shared error responses of `problems`.
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags(
        (name = "auth", description = "Staff authentication"),
        (name = "structures", description = "Public services running committees"),
        (name = "users", description = "Staff accounts"),
        (name = "registry", description = "Organizations, members, committees and memberships"),
        (name = "meetings", description = "Meetings, their lifecycle and agenda"),
        (name = "annexes", description = "Files attached to a meeting or its agenda items"),
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

/// Completes the document collected from the routes, which OpenAPI would
/// otherwise reject:
/// - every response needs a description, and a route's success response
///   usually has none of its own: it gets its status's reason phrase ("OK");
/// - operation ids must be unique, and utoipa takes the handler's name
///   (`list`, `get`… in every module): a name several handlers share is
///   prefixed with its path (`members_list`, `committees_meetings_list`),
///   and the HEAD of a GET handler is suffixed `_head`.
pub fn complete(openapi: &mut utoipa::openapi::OpenApi) {
    let mut operations: Vec<(String, &'static str, &mut utoipa::openapi::path::Operation)> =
        Vec::new();
    for (path, item) in &mut openapi.paths.paths {
        let methods = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("options", &mut item.options),
            ("head", &mut item.head),
            ("patch", &mut item.patch),
            ("trace", &mut item.trace),
            ("query", &mut item.query),
        ];
        for (method, operation) in methods {
            if let Some(operation) = operation {
                operations.push((path.clone(), method, operation));
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for (_, _, operation) in &operations {
        if let Some(id) = &operation.operation_id {
            *seen.entry(id.clone()).or_insert(0) += 1;
        }
    }
    for (path, method, operation) in operations {
        for (status, response) in &mut operation.responses.responses {
            if let RefOr::T(response) = response
                && response.description.is_empty()
            {
                response.description = StatusCode::from_bytes(status.as_bytes())
                    .ok()
                    .and_then(|status| status.canonical_reason())
                    .unwrap_or("Response")
                    .to_owned();
            }
        }
        if let Some(id) = operation.operation_id.as_mut()
            && seen.get(id.as_str()).is_some_and(|&count| count > 1)
        {
            let resource: Vec<String> = path
                .trim_start_matches(V1)
                .split('/')
                .filter(|segment| !segment.is_empty() && !segment.starts_with('{'))
                .map(|segment| segment.replace(|c: char| !c.is_ascii_alphanumeric(), "_"))
                .collect();
            let suffix = if method == "head" { "_head" } else { "" };
            *id = format!("{}_{id}{suffix}", resource.join("_"));
        }
    }
}

/// The prefix of the API's routes.
const V1: &str = "/api/v1";

/// Every route under `/api/v1`.
pub fn v1(config: &mut ServiceConfig) {
    config.service(
        scope::scope(V1)
            .service(auth::login)
            .service(auth::me)
            .service(auth::change_password)
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
            .service(annexes::reorder)
            .service(annexes::announce)
            .service(annexes::add_to_item)
            .service(annexes::add_to_meeting)
            .service(annexes::list)
            .service(annexes::dossier)
            .service(annexes::dossier_pdf)
            .service(annexes::replace)
            .service(annexes::content)
            .service(annexes::update)
            .service(annexes::remove)
            .service(invitations::invite)
            .service(invitations::list)
            .service(invitations::remind)
            .service(invitations::resend)
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
        .service(rsvp::annex)
        .service(rsvp::dossier)
        .service(rsvp::dossier_pdf)
        .service(rsvp::answer_form)
        .service(verify::verify_form)
        .service(verify::copy)
        .service(verify::verify)
        .service(verify::annex);
}

/// Unknown routes (and known paths with another method): 404 problem+json.
pub async fn not_found(_: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&AppError::NotFound)
}
