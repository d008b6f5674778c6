//! clu: the Comités Locaux des Usagers server. `build_app` is the one
//! application, used by the binary and by the tests.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod documents;
pub mod domain;
pub mod error;
pub mod french;
pub mod mail;
pub mod methods;
pub mod metrics;
pub mod oidc;
pub mod server;
pub mod service;
pub mod signature;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod templates;
pub mod web;
pub mod worker;

use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::DefaultHeaders;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

pub use state::AppState;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The application: every route, its error handling and its middleware.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // The actix `web` module, here; `crate::web` is the staff interface.
    use actix_web::web;
    let session = crate::web::session::middleware(&state);
    let (app, mut openapi) = App::new()
        .into_utoipa_app()
        .openapi(api::ApiDoc::openapi())
        .app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(api::extract::JSON_LIMIT))
        .app_data(web::QueryConfig::default().error_handler(api::extract::query_error))
        .app_data(web::PathConfig::default().error_handler(api::extract::path_error))
        .app_data(
            web::FormConfig::default()
                .limit(16 * 1024)
                .error_handler(api::extract::form_error),
        )
        .configure(api::v1)
        .configure(api::probes)
        .configure(api::pages)
        .split_for_parts();
    api::complete(&mut openapi);
    let methods = crate::methods::AllowTable::default();
    methods.add_openapi(&openapi);
    for path in [
        "/api/v1/openapi.json",
        "/docs",
        "/docs/{_:.*}",
        "/static/{path:.*}",
        "/metrics",
    ] {
        methods.add(path, &actix_web::http::Method::GET);
    }
    // The document is served by a route of the API scope: a scope owns every
    // path under its prefix, so a service registered beside it would be shadowed.
    app.app_data(web::Data::new(api::OpenApiDocument(openapi)))
        .service(SwaggerUi::new("/docs/{_:.*}").config(Config::new([OPENAPI_PATH])))
        .service(web::redirect("/docs", "/docs/"))
        .route("/metrics", web::get().to(crate::metrics::scrape_with_token))
        .configure(crate::web::static_files)
        .configure(|config| crate::web::pages(config, session, &methods))
        .default_service(web::to(crate::web::not_found))
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY")),
        )
        .wrap_fn(move |req, service| crate::methods::answer(&methods, req, service))
        .wrap_fn(telemetry::request_span)
}
