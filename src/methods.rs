//! HTTP methods as clients expect them (RFC 9110): `HEAD` answers on every
//! `GET` route, with the same status and headers and no body; a known path
//! asked with a method it does not take answers 405 with `Allow`; `OPTIONS`
//! answers 204 with `Allow`.
//!
//! actix routes by method guard, resource by resource, so a wrong method
//! falls through to the 404 of the default service. This middleware sees
//! that 404 (marked `Unrouted`), asks actix's resource map whether a route
//! has the path (it ignores methods), and answers from a table of each
//! route's methods: the API's come from its OpenAPI document (every route
//! is in it, a test checks), the pages' from `Pages`, which registers them.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::{FromRequest, Handler, HttpResponse, Responder, ResponseError, web};

/// Each route pattern (`/api/v1/meetings/{id}`) and the methods it takes.
#[derive(Clone, Default)]
pub struct AllowTable(Rc<RefCell<BTreeMap<String, BTreeSet<&'static str>>>>);

fn name(method: &Method) -> Option<&'static str> {
    Some(match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        _ => return None,
    })
}

impl AllowTable {
    pub fn add(&self, pattern: &str, method: &Method) {
        if let Some(method) = name(method) {
            self.0
                .borrow_mut()
                .entry(pattern.to_owned())
                .or_default()
                .insert(method);
        }
    }

    /// Every operation of the OpenAPI document.
    pub fn add_openapi(&self, openapi: &utoipa::openapi::OpenApi) {
        for (path, item) in &openapi.paths.paths {
            for (method, operation) in [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ] {
                if operation.is_some() {
                    self.add(path, &method);
                }
            }
        }
    }

    /// The `Allow` value of a pattern: its methods, `HEAD` with `GET`, and
    /// `OPTIONS`; none for a pattern no route has.
    pub fn allow(&self, pattern: &str) -> Option<String> {
        let table = self.0.borrow();
        let methods = table.get(pattern)?;
        let mut allow: Vec<&str> = methods.iter().copied().collect();
        if methods.contains("GET") {
            allow.push("HEAD");
        }
        allow.push("OPTIONS");
        Some(allow.join(", "))
    }
}

/// Registers the pages' routes and their methods in the table.
pub struct Pages<'a> {
    config: &'a mut web::ServiceConfig,
    table: AllowTable,
}

macro_rules! method {
    ($name:ident, $method:expr, $route:path) => {
        pub fn $name<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
        where
            F: Handler<Args>,
            Args: FromRequest + 'static,
            F::Output: Responder + 'static,
        {
            self.table.add(path, &$method);
            self.config.route(path, $route().to(handler));
            self
        }
    };
}

impl<'a> Pages<'a> {
    pub fn new(config: &'a mut web::ServiceConfig, table: &AllowTable) -> Self {
        Self {
            config,
            table: table.clone(),
        }
    }

    method!(get, Method::GET, web::get);
    method!(post, Method::POST, web::post);
}

/// Marks the default service's 404: no route took the request (a handler's
/// own 404, "no such meeting", is left alone).
pub struct Unrouted;

pub fn unrouted(mut response: HttpResponse) -> HttpResponse {
    response.extensions_mut().insert(Unrouted);
    response
}

/// The middleware (`wrap_fn`): `HEAD` served as `GET` without the body,
/// and 405 / `OPTIONS` where a route has the path but not the method.
pub fn answer<S, B>(
    table: &AllowTable,
    mut req: ServiceRequest,
    service: &S,
) -> impl Future<Output = Result<ServiceResponse<EitherBody<B, BoxBody>>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    // Served as a GET, the body left out but its length kept.
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let (call, table) = (service.call(req), table.clone());
    async move {
        let response = refine(table, call.await?)?;
        Ok(if head {
            response.map_body(|_, body| EitherBody::right(BoxBody::new(HeadBody(body.size()))))
        } else {
            response
        })
    }
}

/// The body of a `HEAD` answer: the size of the `GET`'s (the server writes
/// it as `Content-Length`), no bytes.
struct HeadBody(BodySize);

impl MessageBody for HeadBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        std::task::Poll::Ready(None)
    }
}

fn refine<B: MessageBody + 'static>(
    table: AllowTable,
    response: ServiceResponse<B>,
) -> Result<ServiceResponse<EitherBody<B, BoxBody>>, actix_web::Error> {
    if !response.response().extensions().contains::<Unrouted>() {
        return Ok(response.map_into_left_body());
    }
    let request = response.request().clone();
    let Some(allow) = request
        .resource_map()
        .match_pattern(request.path())
        .and_then(|pattern| table.allow(&pattern))
    else {
        return Ok(response.map_into_left_body());
    };
    let answer = if request.method() == Method::OPTIONS {
        HttpResponse::NoContent()
            .insert_header((header::ALLOW, allow))
            .finish()
    } else {
        crate::error::AppError::MethodNotAllowed(allow).error_response()
    };
    Ok(ServiceResponse::new(request, answer).map_into_right_body())
}
