//! Request extraction with problem+json errors: JSON bodies (size limit,
//! unknown fields, field paths in 422s), list paging, path ids.

use actix_web::error::{PayloadError, QueryPayloadError};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, FieldError};
use crate::store::Page;

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 256 * 1024;

/// A JSON body. Syntax errors are 400; well-formed JSON that does not fit
/// the expected shape (wrong type, unknown or missing field) is 422 naming
/// the field. The outcome is only given by `into_inner`, which handlers
/// call after the caller's permission is checked: actix extracts a
/// handler's arguments together, and a caller who may not act must learn
/// nothing from the validation of the body.
pub struct Json<T>(Result<T, AppError>);

impl<T> Json<T> {
    pub fn into_inner(self) -> Result<T, AppError> {
        self.0
    }
}

async fn read<T: DeserializeOwned>(
    content_type: Option<String>,
    body: impl std::future::Future<Output = Result<web::Bytes, actix_web::Error>>,
) -> Result<T, AppError> {
    match content_type.as_deref() {
        Some("application/json") => {}
        Some(other) if other.ends_with("+json") => {}
        other => {
            return Err(AppError::UnsupportedMediaType(format!(
                "{} (attendu : application/json)",
                other.unwrap_or("aucun")
            )));
        }
    }
    let body = body
        .await
        .map_err(|err| match err.as_error::<PayloadError>() {
            Some(PayloadError::Overflow) => AppError::PayloadTooLarge { limit: JSON_LIMIT },
            _ => AppError::BadRequest(format!("corps illisible : {err}")),
        })?;
    parse(&body)
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move { Ok(Json(read(content_type, body).await)) })
    }
}

/// An optional JSON body: none when the request has no body at all;
/// otherwise exactly as `Json` (a malformed body is still an error).
pub struct OptionalJson<T>(Result<Option<T>, AppError>);

impl<T> OptionalJson<T> {
    pub fn into_inner(self) -> Result<Option<T>, AppError> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let empty = !headers.contains_key(header::CONTENT_TYPE)
            && headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|v| v.trim() == "0");
        if empty {
            return Box::pin(async { Ok(OptionalJson(Ok(None))) });
        }
        let body = Json::<T>::from_request(req, payload);
        Box::pin(async move {
            body.await
                .map(|json| OptionalJson(json.into_inner().map(Some)))
        })
    }
}

/// Deserializes `body`: first as JSON (any syntax error, trailing bytes or
/// excessive nesting is a 400), then into `T` (any mismatch is a 422).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|err| {
        AppError::BadRequest(format!(
            "JSON invalide (ligne {}, colonne {})",
            err.line(),
            err.column()
        ))
    })?;
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        AppError::Validation(vec![field_error(&path, err.inner())])
    })
}

/// A French message for a serde data error, on the field it concerns.
fn field_error(path: &str, err: &serde_json::Error) -> FieldError {
    let text = err.to_string();
    let text = text.as_str();
    let quoted = |s: &str| s.split('`').nth(1).map(str::to_owned);
    let join = |parent: &str, name: String| {
        if parent == "." || parent.is_empty() {
            name
        } else {
            format!("{parent}.{name}")
        }
    };
    let field = if path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    if let Some(rest) = text.strip_prefix("missing field ") {
        let name = quoted(rest).unwrap_or_default();
        return FieldError::new(join(path, name), "ce champ est obligatoire");
    }
    if text.starts_with("unknown field ") {
        let name = quoted(text).unwrap_or_default();
        // The path may or may not already end with the unknown key.
        let field = if path.ends_with(&name) {
            field
        } else {
            join(path, name)
        };
        return FieldError::new(field, "champ inconnu");
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        let allowed = rest
            .split("expected ")
            .nth(1)
            .unwrap_or_default()
            .replace('`', "");
        return FieldError::new(
            field,
            format!("valeur inconnue ; valeurs possibles : {allowed}"),
        );
    }
    if text.starts_with("invalid type") {
        let expected = match text.split("expected ").nth(1).unwrap_or("autre") {
            e if e.starts_with("struct ") || e == "a map" => "un objet JSON",
            e if e.starts_with("a sequence") => "une liste",
            e => e,
        };
        return FieldError::new(field, format!("type invalide (attendu : {expected})"));
    }
    FieldError::new(field, "valeur invalide")
}

/// Error handler for `web::Query`: 400 problem+json.
pub fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    AppError::BadRequest(format!("paramètres de requête invalides : {err}")).into()
}

/// Error handler for `web::Form`: 400 problem+json.
pub fn form_error(err: actix_web::error::UrlencodedError, _: &HttpRequest) -> actix_web::Error {
    match err {
        actix_web::error::UrlencodedError::Overflow { .. } => {
            AppError::PayloadTooLarge { limit: 16 * 1024 }.into()
        }
        other => AppError::BadRequest(format!("formulaire illisible : {other}")).into(),
    }
}

/// Error handler for `web::Path`: an id that cannot exist is not found.
pub fn path_error(_: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    AppError::NotFound.into()
}

/// `limit` (1–500, default 50) and `offset` (default 0).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

impl Paging {
    pub fn page(&self) -> Result<Page, AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        let offset = self.offset.unwrap_or(0);
        let mut errors = Vec::new();
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new("limit", format!("entre 1 et {MAX_LIMIT}")));
        }
        if offset < 0 {
            errors.push(FieldError::new("offset", "positif ou nul"));
        }
        if errors.is_empty() {
            Ok(Page { limit, offset })
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// Every list: one page of items and the total count.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<T> From<(Vec<T>, i64)> for List<T> {
    fn from((items, total): (Vec<T>, i64)) -> Self {
        Self { items, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        count: i32,
        nested: Option<Inner>,
    }

    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        kind: String,
    }

    fn fields(body: &str) -> Vec<(String, String)> {
        match parse::<Sample>(body.as_bytes()) {
            Err(AppError::Validation(errors)) => {
                errors.into_iter().map(|e| (e.field, e.message)).collect()
            }
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        for body in [
            "{",
            "{\"name\": }",
            "[[[",
            "{\"name\":\"x\",\"count\":1} trailing",
            "",
        ] {
            assert!(
                matches!(
                    parse::<Sample>(body.as_bytes()),
                    Err(AppError::BadRequest(_))
                ),
                "{body}"
            );
        }
        let deep = "[".repeat(10_000);
        assert!(matches!(
            parse::<Sample>(deep.as_bytes()),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            parse::<Sample>(b"{\"name\":\"\xff\"}"),
            Err(AppError::BadRequest(_))
        ));
    }

    #[test]
    fn shape_errors_name_the_field() {
        assert_eq!(fields(r#"{"name":"a"}"#)[0].0, "count");
        assert_eq!(fields(r#"{"name":"a","count":"x"}"#)[0].0, "count");
        assert_eq!(
            fields(r#"{"name":"a","count":1,"extra":true}"#),
            vec![("extra".into(), "champ inconnu".into())]
        );
        assert_eq!(
            fields(r#"{"name":"a","count":1,"nested":{"kind":"k","x":1}}"#)[0].0,
            "nested.x"
        );
    }
}
