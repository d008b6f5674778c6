//! Cross-site request forgery: every state-changing web route takes its
//! form through `CsrfForm`, which refuses the request unless the form's
//! `csrf` field is the session's token (a synchronizer token), and the web
//! scope refuses any unsafe request whose `Origin` or `Sec-Fetch-Site`
//! says it came from another site (`same_origin`).

use actix_session::SessionExt;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::error::WebError;
use super::session;
use crate::error::AppError;
use crate::state::AppState;

/// The name of the hidden field every form carries.
pub const FIELD: &str = "csrf";
/// Forms are small; a larger body is refused before it is parsed.
pub const FORM_LIMIT: usize = 16 * 1024;

/// The form of a button that only acts (sign out, remove, send): nothing
/// but its token.
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// A form whose CSRF token has been checked against the session. `LIMIT`
/// is the largest body read: a few forms carry more than a few fields (the
/// import's confirmation carries the CSV file's text).
pub struct CsrfForm<T, const LIMIT: usize = FORM_LIMIT>(pub T);

impl<T: DeserializeOwned + 'static, const LIMIT: usize> FromRequest for CsrfForm<T, LIMIT> {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Payload::from_request(req, payload);
        Box::pin(async move {
            if !is_form {
                return Err(AppError::UnsupportedMediaType(
                    "un formulaire (application/x-www-form-urlencoded) est attendu".into(),
                )
                .into());
            }
            let body = body
                .await
                .map_err(|_| AppError::BadRequest("formulaire illisible".into()))?
                .to_bytes_limited(LIMIT)
                .await
                .map_err(|_| AppError::PayloadTooLarge { limit: LIMIT })?
                .map_err(|_| AppError::BadRequest("formulaire illisible".into()))?;
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::BadRequest("formulaire illisible".into()))?;
            let token = pairs
                .iter()
                .find(|(name, _)| name == FIELD)
                .map(|(_, value)| value.as_str());
            if !token.is_some_and(|token| session::csrf_matches(&session, token)) {
                tracing::warn!("web form refused: missing or wrong CSRF token");
                return Err(WebError::Csrf);
            }
            // Browsers send a text area's line ends as CR LF; the text is
            // kept with LF, as the API receives it.
            let pairs: Vec<(String, String)> = pairs
                .into_iter()
                .map(|(name, value)| (name, value.replace("\r\n", "\n")))
                .collect();
            let encoded = serde_urlencoded::to_string(&pairs)
                .map_err(|e| AppError::BadRequest(format!("formulaire illisible : {e}")))?;
            let form = serde_urlencoded::from_str(&encoded)
                .map_err(|e| AppError::BadRequest(format!("formulaire illisible : {e}")))?;
            Ok(CsrfForm(form))
        })
    }
}

/// Whether an unsafe request comes from this site, by the browser's own
/// headers: `Sec-Fetch-Site` (sent by every current browser) must be
/// `same-origin` or `none`, and an `Origin` must be this server's (as the
/// request reached it, or its public address).
pub fn same_origin(req: &ServiceRequest) -> bool {
    if matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return true;
    }
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.to_str(), Ok("same-origin" | "none"))
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let info = req.connection_info();
    let here = format!("{}://{}", info.scheme(), info.host());
    let public = req
        .app_data::<web::Data<AppState>>()
        .map(|state| public_origin(&state.settings.public_url));
    origin == here || public.is_some_and(|public| origin == public)
}

/// `https://clu.example.fr` of `https://clu.example.fr/base`.
fn public_origin(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_owned(),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_origin_drops_the_path() {
        assert_eq!(
            public_origin("https://clu.example.fr/base"),
            "https://clu.example.fr"
        );
        assert_eq!(
            public_origin("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
    }
}
