//! Logging: a tracing subscriber, and a middleware giving each request an id
//! (returned as `X-Request-Id`) and one log line with its route pattern,
//! status and duration. The raw path is never logged: it may carry a token.

use std::time::Instant;

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the global subscriber, writing to standard error (standard
/// output is for the commands' own answers); `RUST_LOG` wins over
/// `default_filter`.
pub fn init(default_filter: &str) {
    use std::io::IsTerminal;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Middleware body for `App::wrap_fn`.
pub fn request_span<S, B>(
    req: ServiceRequest,
    service: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<S, B>
where
    S: actix_web::dev::Service<
            ServiceRequest,
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
        >,
{
    let id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!("request", id = %id, method = %req.method(), route = tracing::field::Empty);
    let started = Instant::now();
    // As asked: `crate::methods` serves a HEAD as a GET further in.
    let method = req.method().as_str().to_owned();
    let future = span.in_scope(|| service.call(req));
    async move {
        let result = future.await;
        let span = tracing::Span::current();
        match result {
            Ok(mut response) => {
                // A pattern only for a request a route took: the path of
                // one none did would let anyone add labels.
                let route = response
                    .request()
                    .match_pattern()
                    .filter(|_| {
                        !response
                            .response()
                            .extensions()
                            .contains::<crate::methods::Unrouted>()
                    })
                    .unwrap_or_else(|| "(unmatched)".into());
                span.record("route", route.as_str());
                let status = response.status().as_u16();
                let elapsed = started.elapsed().as_secs_f64();
                let elapsed_ms = elapsed * 1000.0;
                if let Some(state) = response
                    .request()
                    .app_data::<actix_web::web::Data<crate::state::AppState>>()
                {
                    state.metrics.request(&route, &method, status, elapsed);
                }
                if status >= 500 {
                    tracing::error!(status, elapsed_ms, "request failed");
                } else {
                    tracing::info!(status, elapsed_ms, "request");
                }
                if let Ok(value) = HeaderValue::from_str(&id) {
                    response.headers_mut().insert(REQUEST_ID, value);
                }
                Ok(response)
            }
            Err(err) => {
                tracing::error!(error = %err, "request error");
                Err(err)
            }
        }
    }
    .instrument(span)
}
