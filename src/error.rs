//! The one error type of the application and its RFC 9457 problem+json form.
//! Texts are French (people read them); the cause of a 500 stays in the log.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// For a file upload (CSV), the line of the file at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            line: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("requête mal formée : {0}")]
    BadRequest(String),
    #[error("authentification requise")]
    Unauthorized,
    #[error("identifiants invalides")]
    InvalidCredentials,
    #[error("action non autorisée pour votre rôle")]
    Forbidden,
    #[error("ressource introuvable")]
    NotFound,
    /// The path exists, not with this method; the methods it takes.
    #[error("méthode non acceptée à cette adresse (acceptées : {0})")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    /// The record changed since the form was read (its `updated_at` is not
    /// the one the client saw): nothing was written.
    #[error("cet enregistrement a été modifié entre-temps ; rechargez-le avant de le modifier")]
    Stale,
    #[error("ce lien a expiré")]
    Gone,
    #[error("corps de requête trop volumineux (limite : {limit} octets)")]
    PayloadTooLarge { limit: usize },
    #[error("type de contenu non pris en charge : {0}")]
    UnsupportedMediaType(String),
    #[error("données invalides")]
    Validation(Vec<FieldError>),
    #[error("trop de tentatives ; réessayez dans {retry_after_seconds} secondes")]
    TooManyRequests { retry_after_seconds: i64 },
    /// Concurrent writes kept colliding (PostgreSQL serialization
    /// failures after the retries of `Db::write`): 503, try again.
    #[error("trop de modifications simultanées ; réessayez dans un instant")]
    Busy,
    /// The cause is shown to operators (logs, command line), never to clients.
    #[error("service momentanément indisponible : {0}")]
    Unavailable(String),
    #[error("erreur interne : {0}")]
    Internal(String),
}

/// RFC 9457 problem details, as served.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

impl AppError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// A short name of the problem, used as the last segment of its `type`.
    fn slug(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad-request",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid-credentials",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::Conflict(_) => "conflict",
            Self::Stale => "stale",
            Self::Gone => "gone",
            Self::PayloadTooLarge { .. } => "payload-too-large",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::Validation(_) => "validation",
            Self::TooManyRequests { .. } => "too-many-requests",
            Self::Busy => "busy",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "Requête mal formée",
            Self::Unauthorized | Self::InvalidCredentials => "Authentification requise",
            Self::Forbidden => "Accès refusé",
            Self::NotFound => "Introuvable",
            Self::MethodNotAllowed(_) => "Méthode non acceptée",
            Self::Conflict(_) => "Conflit",
            Self::Stale => "Modifié entre-temps",
            Self::Gone => "Lien expiré",
            Self::PayloadTooLarge { .. } => "Requête trop volumineuse",
            Self::UnsupportedMediaType(_) => "Type de contenu non pris en charge",
            Self::Validation(_) => "Données invalides",
            Self::TooManyRequests { .. } => "Trop de tentatives",
            Self::Busy | Self::Unavailable(_) => "Service indisponible",
            Self::Internal(_) => "Erreur interne",
        }
    }

    pub fn problem(&self) -> Problem {
        let detail = match self {
            // The cause of an unexpected failure is for the log, not the client.
            Self::Internal(_) => {
                "Une erreur inattendue est survenue ; elle a été journalisée.".into()
            }
            Self::Unavailable(_) => "Le service est momentanément indisponible ; réessayez.".into(),
            Self::InvalidCredentials => "Adresse e-mail ou mot de passe incorrect.".into(),
            Self::Validation(errors) => {
                format!("{} champ(s) invalide(s).", errors.len())
            }
            other => other.to_string(),
        };
        Problem {
            kind: format!("urn:clu:problem:{}", self.slug()),
            title: self.title().into(),
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                Self::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::Stale => StatusCode::CONFLICT,
            Self::Gone => StatusCode::GONE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(%cause, "internal error"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_CONTENT_TYPE);
        match self {
            Self::Unauthorized | Self::InvalidCredentials => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::TooManyRequests {
                retry_after_seconds,
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            Self::Busy | Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            Self::MethodNotAllowed(allow) => {
                if let Ok(allow) = HeaderValue::from_str(allow) {
                    response.insert_header((header::ALLOW, allow));
                }
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Self::Busy,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict("un enregistrement identique existe déjà".into())
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                Self::Conflict("cet enregistrement est lié à d'autres données".into())
            }
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(format!("database pool: {err}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Internal(format!("blocking task: {err}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Whether an error is a collision of concurrent transactions, after which
/// the same work may simply run again.
pub trait Contention {
    fn is_contention(&self) -> bool;
}

impl Contention for AppError {
    fn is_contention(&self) -> bool {
        matches!(self, Self::Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let problem = AppError::internal("password=hunter2 in SQL").problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("hunter2"));
    }

    #[test]
    fn operators_see_the_cause_clients_do_not() {
        let err = AppError::internal("letterhead is not JSON");
        assert_eq!(err.to_string(), "erreur interne : letterhead is not JSON");
        assert!(!err.problem().detail.contains("letterhead"));
    }

    #[test]
    fn serialization_failures_are_busy_and_say_when_to_retry() {
        let err = AppError::from(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::SerializationFailure,
            Box::new("could not serialize access".to_owned()),
        ));
        assert!(err.is_contention());
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
    }

    #[test]
    fn validation_lists_fields() {
        let problem = AppError::validation("email", "adresse invalide").problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors.expect("errors")[0].field, "email");
    }

    #[test]
    fn diesel_errors_map_to_http_statuses() {
        assert_eq!(
            AppError::from(diesel::result::Error::NotFound).status_code(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            AppError::from(diesel::result::Error::RollbackTransaction).status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
