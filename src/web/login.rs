//! Signing in and out: `GET /connexion` (the form), `POST /connexion`
//! (the API's own login function, so the same throttle and the same answer
//! for an unknown e-mail and a wrong password), `POST /deconnexion`. The
//! form offers "S'identifier avec ProConnect" too when it is configured
//! (`proconnect.rs`).

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::csrf::{CsrfForm, NoFields};
use super::error::{WebResult, wait_in_words};
use super::layout::{self, Layout};
use super::{DASHBOARD, calls, session};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "web/sign_in.html")]
struct SignInPage {
    layout: Layout,
    email: String,
    email_error: String,
    password_error: String,
    /// An error about the whole form ("identifiants incorrects").
    error: String,
    /// An information ("vous êtes déconnecté").
    info: String,
    /// Whether "S'identifier avec ProConnect" is offered.
    proconnect: bool,
    /// Why ProConnect cannot be used just now (it did not answer).
    proconnect_error: String,
}

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    session: Option<String>,
    sortie: Option<String>,
    proconnect: Option<String>,
}

impl SignInPage {
    fn new(state: &AppState, session: &Session) -> WebResult<Self> {
        Ok(Self {
            layout: Layout::public("Connexion", session::csrf_token(session)?),
            email: String::new(),
            email_error: String::new(),
            password_error: String::new(),
            error: String::new(),
            info: String::new(),
            proconnect: state.proconnect.is_some(),
            proconnect_error: String::new(),
        })
    }
}

pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<SignInQuery>,
) -> WebResult<HttpResponse> {
    if session::is_signed_in(&session) && query.session.is_none() {
        return Ok(layout::see_other(DASHBOARD));
    }
    let mut page = SignInPage::new(&state, &session)?;
    if query.session.is_some() {
        page.info = "Votre session a pris fin. Reconnectez-vous pour continuer.".into();
    } else if query.sortie.as_deref() == Some("proconnect") {
        page.info = "Vous êtes déconnecté de clu et de ProConnect.".into();
    } else if query.sortie.is_some() {
        page.info = "Vous êtes déconnecté.".into();
    }
    if page.proconnect && query.proconnect.is_some() {
        page.proconnect_error = "ProConnect ne répond pas pour le moment. Réessayez dans \
                                 quelques instants, ou connectez-vous avec votre mot de passe."
            .into();
    }
    Ok(layout::ok(&page)?)
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> WebResult<HttpResponse> {
    let mut page = SignInPage::new(&state, &session)?;
    page.email = form.email.trim().to_owned();
    if page.email.is_empty() {
        page.email_error = "Indiquez votre adresse e-mail.".into();
    }
    if form.password.is_empty() {
        page.password_error = "Indiquez votre mot de passe.".into();
    }
    if !page.email_error.is_empty() || !page.password_error.is_empty() {
        return Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?);
    }
    let client = crate::auth::client::address(&req, &state.proxies);
    match calls::login(&state, page.email.clone(), form.password, client).await {
        Ok((user_id, version)) => {
            session::sign_in(&session, &user_id, version, state.clock.now().timestamp())?;
            Ok(layout::see_other(DASHBOARD))
        }
        Err(AppError::InvalidCredentials) => {
            page.error = "Adresse e-mail ou mot de passe incorrect.".into();
            Ok(layout::page(StatusCode::OK, &page)?)
        }
        Err(AppError::TooManyRequests {
            retry_after_seconds,
        }) => {
            page.error = format!(
                "Trop de tentatives ont échoué. Réessayez dans {}.",
                wait_in_words(retry_after_seconds)
            );
            let mut response = layout::page(StatusCode::TOO_MANY_REQUESTS, &page)?;
            if let Ok(value) = header::HeaderValue::from_str(&retry_after_seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// Ends the session; a ProConnect session's sign-out goes on at the
/// provider (`proconnect::sign_out`).
pub async fn sign_out(
    state: web::Data<AppState>,
    session: Session,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    super::proconnect::sign_out(&state, &session).await
}
