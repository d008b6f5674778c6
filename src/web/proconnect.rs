//! "S'identifier avec ProConnect": `GET /connexion/proconnect` sends the
//! browser to the provider, `GET /connexion/proconnect/retour` takes its
//! answer and opens the same session a password opens; the sign-out
//! (`login::sign_out`) then ends the provider's session too, through
//! `GET /deconnexion/proconnect/retour` on the way back. Links and
//! redirects, never a form: the pages' CSP (`form-action 'self'`) would
//! stop a form's redirect to the provider.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::WebResult;
use super::filters;
use super::layout::{self, Layout};
use super::{DASHBOARD, SIGN_IN, session};
use crate::domain::accounts::proconnect::Refusal;
use crate::error::AppError;
use crate::oidc::Failure;
use crate::service::proconnect::{self, Answer, SignInError};
use crate::state::AppState;

pub const START: &str = "/connexion/proconnect";
pub const RETURN: &str = crate::config::proconnect::REDIRECT_PATH;
pub const AFTER_SIGN_OUT: &str = crate::config::proconnect::POST_LOGOUT_PATH;

/// The session's keys: the `state` of the request under way, the ID token
/// of a ProConnect session (for the sign-out), the sign-out's `state`.
const STATE: &str = "pc_state";
const ID_TOKEN: &str = "pc_id_token";
const SIGN_OUT_STATE: &str = "pc_sign_out";

/// Why ProConnect did not sign someone in, and what to do about it.
#[derive(Template)]
#[template(path = "web/proconnect.html")]
struct FailurePage {
    layout: Layout,
    message: String,
    advice: String,
}

/// The page sent after the sign-out from clu, on the way to the provider's.
#[derive(Template)]
#[template(path = "web/proconnect_sign_out.html")]
struct SignOutPage {
    layout: Layout,
    end_session: String,
}

const ASK: &str = "Demandez au secrétariat de votre structure (ou à l’administrateur de clu) \
                   de vous ouvrir un compte à cette adresse, puis reconnectez-vous.";
const AGAIN: &str = "Recommencez la connexion depuis la page de connexion de clu.";

fn failure_page(error: &SignInError) -> (StatusCode, &'static str, String, String) {
    use StatusCode as S;
    match error {
        SignInError::NotConfigured => (
            S::NOT_FOUND,
            "ProConnect n’est pas disponible",
            "La connexion avec ProConnect n’est pas activée sur ce serveur clu.".into(),
            "Connectez-vous avec votre adresse e-mail et votre mot de passe.".into(),
        ),
        SignInError::Cancelled => (
            S::OK,
            "Connexion annulée",
            "Vous avez annulé la connexion avec ProConnect ; vous n’êtes pas connecté à clu."
                .into(),
            AGAIN.into(),
        ),
        SignInError::ProviderError(_) => (
            S::BAD_GATEWAY,
            "Connexion refusée par ProConnect",
            "ProConnect n’a pas accordé la connexion ; vous n’êtes pas connecté à clu.".into(),
            AGAIN.into(),
        ),
        SignInError::State => (
            S::BAD_REQUEST,
            "Demande de connexion expirée",
            "Cette réponse de ProConnect ne correspond à aucune demande de connexion en cours \
             dans ce navigateur : elle a déjà servi, elle a expiré (10 minutes), ou elle vient \
             d’ailleurs. Vous n’êtes pas connecté à clu."
                .into(),
            AGAIN.into(),
        ),
        SignInError::Provider(failure) => match failure {
            Failure::Unreachable(_) => (
                S::SERVICE_UNAVAILABLE,
                "ProConnect ne répond pas",
                "ProConnect n’a pas pu être joint ; vous n’êtes pas connecté à clu.".into(),
                "Réessayez dans quelques instants, ou connectez-vous avec votre mot de passe."
                    .into(),
            ),
            Failure::CodeRefused(_) => (
                S::BAD_REQUEST,
                "Connexion expirée",
                "ProConnect n’a pas confirmé la connexion : son code a expiré ou a déjà servi. \
                 Vous n’êtes pas connecté à clu."
                    .into(),
                AGAIN.into(),
            ),
            Failure::ClockSkew => (
                S::BAD_GATEWAY,
                "Horloges désaccordées",
                "L’heure de ProConnect et celle du serveur clu diffèrent de plus de quelques \
                 secondes : la connexion a été refusée par prudence."
                    .into(),
                "Prévenez l’administrateur de clu (l’horloge du serveur est à vérifier) ; \
                 en attendant, connectez-vous avec votre mot de passe."
                    .into(),
            ),
            Failure::Signature | Failure::Nonce | Failure::Expired | Failure::Invalid(_) => (
                S::BAD_GATEWAY,
                "Connexion refusée",
                "La réponse reçue de ProConnect n’a pas passé les contrôles de sécurité \
                 (signature, destinataire, validité ou rattachement à votre demande) ; \
                 vous n’êtes pas connecté à clu."
                    .into(),
                AGAIN.into(),
            ),
        },
        SignInError::Refused { refusal, email } => match refusal {
            Refusal::Unknown => (
                S::FORBIDDEN,
                "Aucun compte clu à cette adresse",
                format!(
                    "ProConnect vous a bien identifié ({email}), mais aucun compte clu n’est \
                     ouvert à cette adresse."
                ),
                ASK.into(),
            ),
            Refusal::Disabled => (
                S::FORBIDDEN,
                "Compte désactivé",
                "Votre compte clu est désactivé ; vous ne pouvez pas vous connecter.".into(),
                "Si vous en avez encore besoin, demandez au secrétariat de votre structure \
                 (ou à l’administrateur de clu) de le réactiver."
                    .into(),
            ),
            Refusal::LinkedElsewhere => (
                S::FORBIDDEN,
                "Compte déjà associé",
                format!(
                    "Le compte clu de l’adresse {email} est déjà associé à une autre identité \
                     ProConnect ; cette connexion a été refusée."
                ),
                "Connectez-vous avec l’identité ProConnect habituelle de ce compte, ou \
                 demandez à l’administrateur de clu de vérifier le compte."
                    .into(),
            ),
        },
        SignInError::App(_) => (
            S::INTERNAL_SERVER_ERROR,
            "Une erreur est survenue",
            "Une erreur inattendue est survenue ; elle a été journalisée. Vous n’êtes pas \
             connecté à clu."
                .into(),
            AGAIN.into(),
        ),
    }
}

fn render_failure(session: &Session, error: &SignInError) -> WebResult<HttpResponse> {
    if let SignInError::App(AppError::Internal(cause)) = error {
        tracing::error!(%cause, "ProConnect sign-in");
    }
    let (status, title, message, advice) = failure_page(error);
    let page = FailurePage {
        layout: Layout::public(title, session::csrf_token(session)?),
        message,
        advice,
    };
    Ok(layout::page(status, &page)?)
}

fn random_state() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(format!("getrandom: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `GET /connexion/proconnect`: to the provider, with a new request.
pub async fn start(state: web::Data<AppState>, session: Session) -> WebResult<HttpResponse> {
    match proconnect::begin(&state).await {
        Ok((url, request_state)) => {
            session
                .insert(STATE, request_state)
                .map_err(|e| AppError::internal(format!("session: {e}")))?;
            Ok(layout::see_other(url.as_str()))
        }
        Err(SignInError::Provider(Failure::Unreachable(cause))) => {
            tracing::warn!(%cause, "ProConnect unreachable");
            Ok(layout::see_other(&format!(
                "{SIGN_IN}?proconnect=indisponible"
            )))
        }
        Err(other) => render_failure(&session, &other),
    }
}

/// `GET /connexion/proconnect/retour`: the provider's answer.
pub async fn callback(
    state: web::Data<AppState>,
    session: Session,
    answer: web::Query<Answer>,
) -> WebResult<HttpResponse> {
    let expected = session.remove_as::<String>(STATE).and_then(Result::ok);
    match proconnect::finish(&state, expected, answer.into_inner()).await {
        Ok((user, id_token)) => {
            session::sign_in(
                &session,
                &user.id,
                user.token_version,
                state.clock.now().timestamp(),
            )?;
            session
                .insert(ID_TOKEN, id_token)
                .map_err(|e| AppError::internal(format!("session: {e}")))?;
            Ok(layout::see_other(DASHBOARD))
        }
        Err(error) => render_failure(&session, &error),
    }
}

/// The sign-out, for `login::sign_out`: ends clu's session, then, for a
/// ProConnect session, sends the browser to end the provider's (a page
/// that goes on by itself: a redirect answering the sign-out form would
/// be stopped by the CSP's `form-action`).
pub async fn sign_out(state: &AppState, session: &Session) -> WebResult<HttpResponse> {
    let id_token = session.get::<String>(ID_TOKEN).ok().flatten();
    let Some(id_token) = id_token else {
        session::sign_out(session);
        return Ok(layout::see_other(&format!("{SIGN_IN}?sortie=1")));
    };
    // clu's session ends here: nothing of it is kept but the sign-out's
    // `state`, in a new cookie.
    session.clear();
    session.renew();
    let sign_out_state = random_state()?;
    let Some(url) = proconnect::end_session_url(state, id_token, sign_out_state.clone()).await
    else {
        return Ok(layout::see_other(&format!("{SIGN_IN}?sortie=1")));
    };
    session
        .insert(SIGN_OUT_STATE, sign_out_state)
        .map_err(|e| AppError::internal(format!("session: {e}")))?;
    let page = SignOutPage {
        layout: Layout::public("Déconnexion de ProConnect", String::new()),
        end_session: url.to_string(),
    };
    Ok(layout::ok(&page)?)
}

#[derive(Debug, Deserialize)]
pub struct SignOutAnswer {
    state: Option<String>,
}

/// `GET /deconnexion/proconnect/retour`: back from the provider's sign-out.
pub async fn after_sign_out(session: Session, answer: web::Query<SignOutAnswer>) -> HttpResponse {
    let expected = session
        .remove_as::<String>(SIGN_OUT_STATE)
        .and_then(Result::ok);
    let both = expected.is_some() && expected == answer.into_inner().state;
    layout::see_other(&format!(
        "{SIGN_IN}?sortie={}",
        if both { "proconnect" } else { "1" }
    ))
}
