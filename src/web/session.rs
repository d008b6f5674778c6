//! The staff session of the web interface: an encrypted cookie (actix-session's
//! cookie store, AES-GCM) holding the user id, the user's token version, when
//! the session began and when it was last used, and the CSRF token.
//!
//! Every request that needs a signed-in user goes through `Staff`, which
//! ends the session when it has been idle too long, is older than a working
//! day, or when the account is disabled or its token version has changed
//! (the same check as for bearer tokens: `service::auth::caller`).

use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionExt, SessionMiddleware};
use actix_web::cookie::SameSite;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;
use std::marker::PhantomData;

use super::calls;
use super::error::WebError;
use crate::auth::Caller;
use crate::auth::caller::need;
use crate::error::AppError;
use crate::state::AppState;

pub const COOKIE_NAME: &str = "clu_session";
const USER: &str = "uid";
const VERSION: &str = "ver";
const STARTED: &str = "iat";
const SEEN: &str = "seen";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
/// `seen` is rewritten (and the cookie sent again) at most this often.
const SEEN_RESOLUTION_SECONDS: i64 = 60;

/// The session middleware: `HttpOnly`, `SameSite=Lax`, `Secure` whenever
/// the public address is https, and no `Max-Age` (closing the browser ends
/// it; the idle and absolute limits are checked by `Staff`).
pub fn middleware(state: &AppState) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), state.session_key.clone())
        .cookie_name(COOKIE_NAME.to_owned())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(state.settings.public_url.starts_with("https://"))
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(BrowserSession::default())
        .build()
}

fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("getrandom: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn insert<T: serde::Serialize>(session: &Session, key: &str, value: T) -> Result<(), AppError> {
    session
        .insert(key, value)
        .map_err(|e| AppError::internal(format!("session: {e}")))
}

fn get<T: serde::de::DeserializeOwned>(session: &Session, key: &str) -> Option<T> {
    session.get(key).ok().flatten()
}

/// The session's CSRF token, made on first use (a signed-out visitor gets
/// one too: the sign-in form carries it).
pub fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = get::<String>(session, CSRF) {
        return Ok(token);
    }
    let token = random_token()?;
    insert(session, CSRF, &token)?;
    Ok(token)
}

/// Whether `given` is the session's CSRF token (compared in constant time).
pub fn csrf_matches(session: &Session, given: &str) -> bool {
    let Some(expected) = get::<String>(session, CSRF) else {
        return false;
    };
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Starts a signed-in session: a new cookie, a new CSRF token.
pub fn sign_in(
    session: &Session,
    user_id: &str,
    token_version: i32,
    now: i64,
) -> Result<(), AppError> {
    session.clear();
    session.renew();
    insert(session, USER, user_id)?;
    insert(session, VERSION, token_version)?;
    insert(session, STARTED, now)?;
    insert(session, SEEN, now)?;
    insert(session, CSRF, random_token()?)?;
    Ok(())
}

/// A confirmation to show once, on the next page ("Réunion créée."):
/// the POST-redirect-GET's way to say what the POST did.
pub fn flash(session: &Session, text: impl Into<String>) {
    if let Err(err) = session.insert(FLASH, text.into()) {
        tracing::warn!(%err, "flash message not kept");
    }
}

/// Whether the session names a user (still to be checked by `Staff`).
pub fn is_signed_in(session: &Session) -> bool {
    session.contains_key(USER)
}

pub fn sign_out(session: &Session) {
    session.purge();
}

/// The signed-in staff user of a web request, as the account is now, with
/// what the layout shows of their structure.
pub struct Staff {
    pub caller: Caller,
    pub csrf: String,
    pub structure: Option<calls::StructureHeader>,
    /// The confirmation left by the previous POST, shown once.
    pub flash: Option<String>,
    pub session: Session,
}

impl FromRequest for Staff {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let session = req.get_session();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("AppState missing"))?;
            let (Some(user_id), Some(version)) =
                (get::<String>(&session, USER), get::<i32>(&session, VERSION))
            else {
                return Err(WebError::SignInRequired);
            };
            let now = state.clock.now().timestamp();
            let started = get::<i64>(&session, STARTED).unwrap_or(0);
            let seen = get::<i64>(&session, SEEN).unwrap_or(0);
            let settings = &state.settings;
            if now - seen > settings.session_idle_minutes * 60
                || now - started > settings.session_max_hours * 3600
            {
                sign_out(&session);
                return Err(WebError::SessionEnded);
            }
            let caller = match crate::service::auth::caller(&state, user_id, version).await {
                Ok(caller) => caller,
                Err(AppError::Unauthorized) => {
                    sign_out(&session);
                    return Err(WebError::SessionEnded);
                }
                Err(other) => return Err(other.into()),
            };
            if now - seen >= SEEN_RESOLUTION_SECONDS {
                insert(&session, SEEN, now)?;
            }
            let csrf = csrf_token(&session)?;
            let structure = calls::structure_header(&state, &caller).await?;
            let flash = session.remove_as::<String>(FLASH).and_then(Result::ok);
            Ok(Staff {
                caller,
                csrf,
                structure,
                flash,
                session,
            })
        })
    }
}

/// A signed-in staff user allowed what a page needs (`need::Write`…): the
/// same check as the API's `Can`, made before any form is read, so a reader
/// who forges a POST gets the 403 page and learns nothing from validation.
pub struct StaffCan<N: need::Need>(pub Staff, pub PhantomData<N>);

impl<N: need::Need + 'static> FromRequest for StaffCan<N> {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let staff = Staff::from_request(req, payload);
        Box::pin(async move {
            let staff = staff.await?;
            staff.caller.require(N::PERMISSION)?;
            Ok(StaffCan(staff, PhantomData))
        })
    }
}

impl Staff {
    /// Leaves a confirmation for the next page.
    pub fn flash(&self, text: impl Into<String>) {
        flash(&self.session, text);
    }

    /// Whether the user may do what `N` stands for (to show or hide buttons;
    /// the routes check it again with `StaffCan`).
    pub fn can<N: need::Need>(&self) -> bool {
        self.caller.require(N::PERMISSION).is_ok()
    }
}
