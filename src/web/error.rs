//! The web routes' one error type: the application's `AppError` (or a
//! refusal of the web layer's own) rendered as a French page, with the
//! status it deserves. The API keeps its problem+json.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::layout::Layout;
use crate::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    /// No session: to the sign-in page.
    #[error("connexion requise")]
    SignInRequired,
    /// The session ended (idle, too old, account disabled or changed).
    #[error("session terminée")]
    SessionEnded,
    /// A form without the session's token.
    #[error("jeton de formulaire absent ou invalide")]
    Csrf,
    /// An unsafe request from another site.
    #[error("requête d'un autre site")]
    CrossSite,
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
    details: Vec<String>,
}

/// "3 minutes", "45 secondes", "1 minute".
pub fn wait_in_words(seconds: i64) -> String {
    if seconds < 60 {
        let s = seconds.max(1);
        format!("{s} seconde{}", if s > 1 { "s" } else { "" })
    } else {
        let minutes = (seconds + 59) / 60;
        format!("{minutes} minute{}", if minutes > 1 { "s" } else { "" })
    }
}

impl WebError {
    fn texts(&self) -> (&'static str, String, Vec<String>) {
        match self {
            Self::Csrf => (
                "Formulaire refusé",
                "Ce formulaire n’a pas pu être vérifié : il a peut-être expiré, ou il ne vient pas de clu. \
                 Revenez à la page précédente, rechargez-la, puis recommencez."
                    .into(),
                vec![],
            ),
            Self::CrossSite => (
                "Requête refusée",
                "Cette demande vient d’un autre site que clu ; elle a été refusée.".into(),
                vec![],
            ),
            Self::SignInRequired | Self::SessionEnded => (
                "Connexion requise",
                "Connectez-vous pour continuer.".into(),
                vec![],
            ),
            Self::App(err) => match err {
                AppError::NotFound => (
                    "Page introuvable",
                    "La page demandée n’existe pas, ou elle n’est pas accessible depuis votre structure. \
                     Vérifiez l’adresse, ou repartez du tableau de bord."
                        .into(),
                    vec![],
                ),
                AppError::Stale => (
                    "Modifié entre-temps",
                    "Quelqu’un a modifié cet enregistrement depuis que vous l’avez ouvert ; \
                     rien n’a été enregistré. Rouvrez-le pour voir sa version actuelle."
                        .into(),
                    vec![],
                ),
                AppError::Forbidden => (
                    "Accès refusé",
                    "Votre rôle ne permet pas cette action. Si vous en avez besoin, \
                     demandez-le au secrétariat de votre structure."
                        .into(),
                    vec![],
                ),
                AppError::Conflict(reason) => (
                    "Action impossible",
                    format!("Cette action n’a pas pu être faite : {reason}."),
                    vec![],
                ),
                AppError::TooManyRequests {
                    retry_after_seconds,
                } => (
                    "Trop de tentatives",
                    format!(
                        "Trop de tentatives ont échoué. Réessayez dans {}.",
                        wait_in_words(*retry_after_seconds)
                    ),
                    vec![],
                ),
                AppError::Validation(errors) => (
                    "Données invalides",
                    "Certaines informations ne conviennent pas :".into(),
                    errors
                        .iter()
                        .map(|e| format!("{} : {}", e.field, e.message))
                        .collect(),
                ),
                AppError::Internal(_) | AppError::Unavailable(_) => (
                    "Une erreur est survenue",
                    "Une erreur inattendue est survenue ; elle a été journalisée. \
                     Réessayez dans quelques instants."
                        .into(),
                    vec![],
                ),
                AppError::Unauthorized | AppError::InvalidCredentials => (
                    "Connexion requise",
                    "Connectez-vous pour continuer.".into(),
                    vec![],
                ),
                AppError::Gone => (
                    "Lien expiré",
                    "Ce lien n’est plus valable.".into(),
                    vec![],
                ),
                other => ("Demande refusée", format!("{other}."), vec![]),
            },
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::App(err) => err.status_code(),
            Self::SignInRequired | Self::SessionEnded => StatusCode::SEE_OTHER,
            Self::Csrf | Self::CrossSite => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignInRequired | Self::App(AppError::Unauthorized) => {
                return super::layout::see_other(super::SIGN_IN);
            }
            Self::SessionEnded => {
                return super::layout::see_other(&format!("{}?session=terminee", super::SIGN_IN));
            }
            Self::App(AppError::Internal(cause)) => tracing::error!(%cause, "internal error"),
            Self::App(AppError::Unavailable(cause)) => {
                tracing::warn!(%cause, "service unavailable")
            }
            _ => {}
        }
        let status = self.status_code();
        let (title, message, details) = self.texts();
        let retry_after = match self {
            Self::App(AppError::TooManyRequests {
                retry_after_seconds,
            }) => Some(retry_after_seconds.to_string()),
            _ => None,
        };
        let page = ErrorPage {
            layout: Layout::public(title, String::new()),
            message,
            details,
        };
        let mut response = HttpResponse::build(status);
        response.content_type("text/html; charset=utf-8");
        if let Some(seconds) = retry_after {
            response.insert_header((header::RETRY_AFTER, seconds));
        }
        match page.render() {
            Ok(body) => response.body(body),
            Err(err) => {
                tracing::error!(%err, "error page template");
                response.body(format!(
                    "<!DOCTYPE html><html lang=\"fr\"><title>{title} — clu</title><h1>{title}</h1></html>"
                ))
            }
        }
    }
}

/// What a page handler returns.
pub type WebResult<T> = Result<T, WebError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_said_in_words() {
        assert_eq!(wait_in_words(1), "1 seconde");
        assert_eq!(wait_in_words(45), "45 secondes");
        assert_eq!(wait_in_words(60), "1 minute");
        assert_eq!(wait_in_words(61), "2 minutes");
    }

    #[test]
    fn errors_are_french_pages_with_their_status() {
        let response = WebError::App(AppError::NotFound).error_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = WebError::App(AppError::TooManyRequests {
            retry_after_seconds: 120,
        })
        .error_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
            Some(&b"120"[..])
        );
        let response = WebError::SessionEnded.error_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
}
