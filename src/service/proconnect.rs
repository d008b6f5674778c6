//! Sign-in with ProConnect, for the web pages: the authorization request
//! sent (kept in the database, its `state` in the browser's session), and
//! its answer — the request taken once, the provider's tokens checked on
//! the blocking pool, then the rules of `domain::accounts::proconnect` in
//! one transaction. Any failure leaves no session and no half-made link.

use std::sync::Arc;

use actix_web::web;

use crate::domain::accounts::proconnect::{self, Refusal, Vouched};
use crate::error::AppError;
use crate::metrics::Login;
use crate::oidc::{Failure, Identity, RelyingParty};
use crate::state::AppState;
use crate::store::oidc::RequestRow;
use crate::store::users::UserRow;

/// Why a ProConnect sign-in did not open a session.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// ProConnect is not configured here.
    #[error("ProConnect is not configured")]
    NotConfigured,
    /// The person cancelled at the provider (`access_denied`).
    #[error("cancelled at the provider")]
    Cancelled,
    /// The provider answered with another error.
    #[error("the provider answered {0}")]
    ProviderError(String),
    /// No request of this browser awaits this `state`: missing, wrong,
    /// already used, or too old.
    #[error("unknown, replayed or stale state")]
    State,
    /// The provider, or what it sent, failed (see `Failure`).
    #[error(transparent)]
    Provider(#[from] Failure),
    /// The identity is not let in.
    #[error("refused: {refusal:?}")]
    Refused { refusal: Refusal, email: String },
    #[error(transparent)]
    App(#[from] AppError),
}

fn relying_party(state: &AppState) -> Result<Arc<RelyingParty>, SignInError> {
    state.proconnect.clone().ok_or(SignInError::NotConfigured)
}

/// A new authorization request, kept: the URL to send the browser to, and
/// the `state` its session must hold.
pub async fn begin(state: &AppState) -> Result<(url::Url, String), SignInError> {
    let party = relying_party(state)?;
    let authorization = web::block(move || party.authorization())
        .await
        .map_err(|e| AppError::internal(format!("blocking pool: {e}")))??;
    let row = RequestRow {
        state: authorization.state.clone(),
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        created_at: state.clock.now().naive_utc(),
    };
    state
        .db
        .write(move |conn| proconnect::request_sent(conn, row.clone()))
        .await?;
    Ok((authorization.url, authorization.state))
}

/// What came back to the redirect URI.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Answer {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    /// The issuer (RFC 9207), when the provider says it.
    pub iss: Option<String>,
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Checks the answer against the `state` the browser's session held and
/// the request kept for it (taken, whatever happens next), exchanges the
/// code and checks the tokens, then applies the rules. Returns the user to
/// open a session for and the ID token to keep for the sign-out.
pub async fn finish(
    state: &AppState,
    expected_state: Option<String>,
    answer: Answer,
) -> Result<(UserRow, String), SignInError> {
    let outcome = checked_finish(state, expected_state, answer).await;
    match &outcome {
        Ok(_) => state.metrics.login(Login::Succeeded),
        Err(SignInError::NotConfigured) => {}
        Err(_) => state.metrics.login(Login::Failed),
    }
    outcome
}

async fn checked_finish(
    state: &AppState,
    expected_state: Option<String>,
    answer: Answer,
) -> Result<(UserRow, String), SignInError> {
    let party = relying_party(state)?;
    let given = answer.state.clone().unwrap_or_default();
    // The browser's own request, or nothing: a `state` this session did
    // not send is refused before anything else is read.
    let Some(expected) = expected_state.filter(|expected| same(expected, &given)) else {
        tracing::warn!("ProConnect answer refused: state missing or not this session's");
        return Err(SignInError::State);
    };
    let now = state.clock.now();
    let request = state
        .db
        .write(move |conn| proconnect::answer_received(conn, &expected, now))
        .await?
        .ok_or_else(|| {
            tracing::warn!("ProConnect answer refused: state already used or expired");
            SignInError::State
        })?;
    if let Some(error) = answer.error {
        return Err(if error == "access_denied" {
            SignInError::Cancelled
        } else {
            tracing::warn!(%error, "ProConnect answered an error");
            SignInError::ProviderError(error)
        });
    }
    if let Some(iss) = &answer.iss
        && iss != &party.settings().issuer
    {
        return Err(Failure::Invalid("iss of the answer is not the issuer".into()).into());
    }
    let code = answer
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Failure::Invalid("answer without a code".into()))?;
    let identity: Identity =
        web::block(move || party.complete(code, request.nonce, request.pkce_verifier, now))
            .await
            .map_err(|e| AppError::internal(format!("blocking pool: {e}")))?
            .inspect_err(|failure| tracing::warn!(%failure, "ProConnect sign-in failed"))?;
    let vouched = Vouched {
        issuer: identity.issuer.clone(),
        subject: identity.subject.clone(),
        email: identity.email.clone(),
        siret: identity.claims.siret.clone(),
    };
    let user = state
        .db
        .write(move |conn| proconnect::sign_in(conn, &vouched, now))
        .await?
        .map_err(|refusal| SignInError::Refused {
            refusal,
            email: identity.email.clone(),
        })?;
    Ok((user, identity.id_token))
}

/// The provider's end-session URL for `id_token`, or none (no endpoint,
/// or the provider unreachable: then only clu's session ends).
pub async fn end_session_url(
    state: &AppState,
    id_token: String,
    logout_state: String,
) -> Option<url::Url> {
    let party = state.proconnect.clone()?;
    match web::block(move || party.end_session_url(&id_token, &logout_state)).await {
        Ok(Ok(url)) => url,
        Ok(Err(failure)) => {
            tracing::warn!(%failure, "ProConnect sign-out: provider not reached");
            None
        }
        Err(err) => {
            tracing::warn!(%err, "ProConnect sign-out: blocking pool");
            None
        }
    }
}
