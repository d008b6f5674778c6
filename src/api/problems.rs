//! The error answers many routes share, for the OpenAPI document. Each type
//! is a set of problem+json responses that a route lists beside its own:
//!
//! ```text
//! responses((status = 200, body = Member), Authenticated, Restricted, ById, JsonBody,
//!           (status = 409, description = "Anonymised", body = Problem, content_type = "application/problem+json"))
//! ```
//!
//! A response a route lists after the sets replaces theirs for the same
//! status (a 409 with its reason, a 422 saying which lines are wrong).

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

use crate::error::PROBLEM_CONTENT_TYPE;

fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        PROBLEM_CONTENT_TYPE,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    )
}

fn header(kind: Type, description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(kind)))
        .description(Some(description))
        .build()
}

fn unauthorized() -> ResponseBuilder {
    problem("No token, or a token that is invalid, expired or revoked")
        .header("WWW-Authenticate", header(Type::String, "Always `Bearer`"))
}

/// Declares each set: a unit struct whose responses are the listed statuses.
macro_rules! problem_sets {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal => $response:expr),+ $(,)?];)+) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    BTreeMap::from([$(($status.to_string(), $response.build().into())),+])
                }
            }
        )+
    };
}

problem_sets! {
    /// Every route behind a bearer token.
    Authenticated => [
        401 => unauthorized(),
    ];
    /// A route that not every role may use (refused before the body is read).
    Restricted => [
        403 => problem("The caller's role does not allow it"),
    ];
    /// A route naming a record in its path: unknown, malformed or in
    /// another structure, it is not found.
    ById => [
        404 => problem("No such record in the caller's structure"),
    ];
    /// A route with query parameters: one of the wrong type is a 400.
    Query => [
        400 => problem("A query parameter of the wrong type"),
    ];
    /// Values that parse but break a rule (paging bounds, a year, a status…).
    Invalid => [
        422 => problem("Invalid values; `errors` names each field"),
    ];
    /// A route reading a JSON body.
    JsonBody => [
        400 => problem("Not JSON"),
        413 => problem("Body over the size limit"),
        415 => problem("Content-Type is not `application/json`"),
        422 => problem("JSON of the wrong shape or invalid values; `errors` names each field"),
    ];
    /// A change to a meeting's annexes: refused once they are frozen.
    AnnexesFrozen => [
        409 => problem("The compte-rendu is signed, or the meeting cancelled"),
    ];
    /// A file uploaded as `multipart/form-data`, checked while it arrives.
    FileUpload => [
        409 => problem("The compte-rendu is signed, or the meeting cancelled"),
        413 => problem("Over the file's or the meeting's limit"),
        415 => problem("Not multipart/form-data"),
        422 => problem("No file, an empty file, or a type not accepted"),
    ];
    /// Too many wrong passwords (sign-in, or a password asked again).
    RateLimited => [
        429 => problem("Too many wrong passwords for this e-mail, client address or user").header(
            "Retry-After",
            header(Type::Integer, "Seconds to wait"),
        ),
    ];
}
