//! The OpenID Connect relying party of "S'identifier avec ProConnect",
//! over the `openidconnect` crate: the provider's discovery document and
//! keys (read at the first sign-in, kept an hour, read again when an ID
//! token names a key they lack), the authorization request (code flow,
//! PKCE S256, `state` and `nonce` of 43 random characters), and the answer
//! checked — the code exchanged, the ID token's signature, issuer,
//! audience, expiry, nonce and `acr`, the access token's hash, then the
//! userinfo answer, a signed JWT as ProConnect sends it (or JSON).
//!
//! Everything here blocks (HTTP through ureq, no redirect followed, 10 s
//! at most a call): callers run it on the blocking pool. Nothing here
//! logs a token, a code or the client secret.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthType, AuthenticationContextClass, AuthorizationCode,
    ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse,
    IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope,
    TokenResponse, UserInfoClaims, UserInfoError,
};
use serde::{Deserialize, Serialize};

use crate::config::ProConnectSettings;

/// The client as built from the discovery document: authorization
/// endpoint set, token and userinfo endpoints as the provider lists them.
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// The clock difference tolerated between clu and the provider.
pub const CLOCK_SKEW_SECONDS: i64 = 10;
/// How long the discovery document and keys are kept.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// One HTTP call to the provider, at most.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from the provider.
const MAX_ANSWER: u64 = 1024 * 1024;
/// Random bytes of `state` and `nonce`: 43 characters in base64url.
const RANDOM_BYTES: usize = 32;

/// The claims ProConnect adds to the standard ones (in the userinfo answer).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProConnectClaims {
    /// The family name as used ("nom d'usage").
    #[serde(default)]
    pub usual_name: Option<String>,
    /// The identifier at the agent's own identity provider.
    #[serde(default, deserialize_with = "string_or_number")]
    pub uid: Option<String>,
    /// The SIRET of the agent's establishment.
    #[serde(default, deserialize_with = "string_or_number")]
    pub siret: Option<String>,
    /// Which identity provider of the federation the agent used.
    #[serde(default)]
    pub idp_id: Option<String>,
}

impl AdditionalClaims for ProConnectClaims {}

/// `uid` and `siret` come as strings; a number is taken as well.
fn string_or_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        },
    )
}

/// Why a sign-in through the provider did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The provider did not answer (or not as a provider does).
    #[error("provider unreachable: {0}")]
    Unreachable(String),
    /// The token endpoint refused the code (expired, already used…).
    #[error("code refused by the provider: {0}")]
    CodeRefused(String),
    /// The ID token (or userinfo answer) is not signed by the provider's keys.
    #[error("signature not the provider's")]
    Signature,
    /// The ID token answers another authorization request.
    #[error("wrong nonce")]
    Nonce,
    /// The ID token has expired.
    #[error("ID token expired")]
    Expired,
    /// The ID token was issued later than now, beyond the tolerated skew.
    #[error("ID token issued in the future: clocks differ")]
    ClockSkew,
    /// Any other check failed (issuer, audience, acr, claims missing).
    #[error("invalid answer: {0}")]
    Invalid(String),
}

/// An authorization request to send the browser with, and what its answer
/// is checked against (kept by clu until then).
pub struct Authorization {
    pub url: url::Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The person the provider vouched for.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    /// Lowercased.
    pub email: String,
    pub given_name: Option<String>,
    pub claims: ProConnectClaims,
    /// Kept for the sign-out (`id_token_hint`).
    pub id_token: String,
}

#[derive(Debug)]
pub struct HttpError(String);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

struct Discovered {
    metadata: ProviderMetadataWithLogout,
    fetched: Instant,
}

/// The relying party, one per process (in `AppState`).
pub struct RelyingParty {
    settings: ProConnectSettings,
    agent: ureq::Agent,
    discovered: Mutex<Option<Discovered>>,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty")
            .field("issuer", &self.settings.issuer)
            .finish_non_exhaustive()
    }
}

fn random_text() -> Result<String, Failure> {
    use base64::Engine;
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| Failure::Invalid(format!("getrandom: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn claims_failure(err: &ClaimsVerificationError) -> Failure {
    match err {
        ClaimsVerificationError::SignatureVerification(_) => Failure::Signature,
        ClaimsVerificationError::InvalidNonce(_) => Failure::Nonce,
        ClaimsVerificationError::Expired(_) => Failure::Expired,
        other => Failure::Invalid(other.to_string()),
    }
}

impl RelyingParty {
    pub fn new(settings: ProConnectSettings) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(HTTP_TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent();
        Self {
            settings,
            agent,
            discovered: Mutex::new(None),
        }
    }

    pub fn settings(&self) -> &ProConnectSettings {
        &self.settings
    }

    /// One HTTP exchange with the provider, for `openidconnect`.
    fn http(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let answer = self
            .agent
            .run(request)
            .map_err(|e| HttpError(e.to_string()))?;
        let (parts, mut body) = answer.into_parts();
        let bytes = body
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(|e| HttpError(e.to_string()))?;
        Ok(HttpResponse::from_parts(parts, bytes))
    }

    /// The provider's discovery document and keys: kept, or read again
    /// when older than an hour or when `fresh`.
    fn metadata(&self, fresh: bool) -> Result<ProviderMetadataWithLogout, Failure> {
        if !fresh
            && let Ok(kept) = self.discovered.lock()
            && let Some(kept) = kept.as_ref()
            && kept.fetched.elapsed() < METADATA_TTL
        {
            return Ok(kept.metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| Failure::Invalid(format!("issuer: {e}")))?;
        let http = |request| self.http(request);
        let metadata = ProviderMetadataWithLogout::discover(&issuer, &http).map_err(|e| {
            let mut cause = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                cause = format!("{cause}: {inner}");
                source = inner.source();
            }
            Failure::Unreachable(cause)
        })?;
        if let Ok(mut kept) = self.discovered.lock() {
            *kept = Some(Discovered {
                metadata: metadata.clone(),
                fetched: Instant::now(),
            });
        }
        Ok(metadata)
    }

    fn client(&self, metadata: ProviderMetadataWithLogout) -> Client {
        // The client secret in the request's body when the provider takes
        // it so (ProConnect does), else in the Basic header.
        let post = metadata
            .token_endpoint_auth_methods_supported()
            .is_some_and(|methods| methods.iter().any(|m| m.as_ref() == "client_secret_post"));
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(
                self.settings.client_secret.expose().to_owned(),
            )),
        )
        .set_redirect_uri(RedirectUrl::from_url(self.settings.redirect_uri.clone()))
        .set_auth_type(if post {
            AuthType::RequestBody
        } else {
            AuthType::BasicAuth
        })
    }

    /// A new authorization request.
    pub fn authorization(&self) -> Result<Authorization, Failure> {
        let client = self.client(self.metadata(false)?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (state, nonce) = (random_text()?, random_text()?);
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                {
                    let state = state.clone();
                    move || CsrfToken::new(state)
                },
                {
                    let nonce = nonce.clone();
                    move || Nonce::new(nonce)
                },
            )
            .set_pkce_challenge(challenge);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        for acr in &self.settings.acr_values {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        let (url, _, _) = request.url();
        Ok(Authorization {
            url,
            state,
            nonce,
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code of an answer and checks all that comes back, at
    /// `now` (clu's clock).
    pub fn complete(
        &self,
        code: String,
        nonce: String,
        pkce_verifier: String,
        now: DateTime<Utc>,
    ) -> Result<Identity, Failure> {
        let client = self.client(self.metadata(false)?);
        let http = |request| self.http(request);
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Failure::Invalid(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request(&http)
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(answer) => {
                    Failure::CodeRefused(answer.error().to_string())
                }
                RequestTokenError::Request(e) => Failure::Unreachable(e.to_string()),
                other => Failure::Invalid(other.to_string()),
            })?;
        let id_token = token
            .id_token()
            .ok_or_else(|| Failure::Invalid("no ID token".into()))?;
        let nonce = Nonce::new(nonce);
        let (client, subject, access_token_hash) =
            match self.check_id_token(&client, id_token, &nonce, now) {
                Ok(checked) => (client, checked.0, checked.1),
                // Keys may have rotated: read them again, once.
                Err(Failure::Signature) => {
                    let client = self.client(self.metadata(true)?);
                    let checked = self.check_id_token(&client, id_token, &nonce, now)?;
                    (client, checked.0, checked.1)
                }
                Err(other) => return Err(other),
            };
        if let Some(expected) = access_token_hash {
            let verifier = self.id_token_verifier(&client, now);
            let alg = id_token.signing_alg().map_err(|_| Failure::Signature)?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|_| Failure::Signature)?;
            let actual = AccessTokenHash::from_token(token.access_token(), alg, key)
                .map_err(|e| Failure::Invalid(format!("at_hash: {e}")))?;
            if actual != expected {
                return Err(Failure::Invalid("at_hash does not match".into()));
            }
        }
        let info: UserInfoClaims<ProConnectClaims, CoreGenderClaim> = client
            .user_info(
                token.access_token().clone(),
                Some(openidconnect::SubjectIdentifier::new(subject.clone())),
            )
            .map_err(|e| Failure::Invalid(e.to_string()))?
            .request(&http)
            .map_err(|e| match e {
                UserInfoError::ClaimsVerification(err) => match claims_failure(&err) {
                    // The userinfo JWT has no nonce and no expiry of ours.
                    Failure::Signature => Failure::Signature,
                    _ => Failure::Invalid(format!("userinfo: {err}")),
                },
                UserInfoError::Request(e) => Failure::Unreachable(e.to_string()),
                other => Failure::Invalid(format!("userinfo: {other}")),
            })?;
        let email = info
            .email()
            .map(|e| e.as_str().trim().to_lowercase())
            .filter(|e| !e.is_empty())
            .ok_or_else(|| Failure::Invalid("userinfo without an e-mail".into()))?;
        Ok(Identity {
            issuer: self.settings.issuer.clone(),
            subject,
            email,
            given_name: info
                .given_name()
                .and_then(|names| names.get(None))
                .map(|name| name.as_str().to_owned()),
            claims: info.additional_claims().clone(),
            id_token: id_token.to_string(),
        })
    }

    fn id_token_verifier<'a>(
        &self,
        client: &'a Client,
        now: DateTime<Utc>,
    ) -> openidconnect::core::CoreIdTokenVerifier<'a> {
        let acr_values = self.settings.acr_values.clone();
        client
            .id_token_verifier()
            // Asymmetric signatures only: the client secret signs nothing.
            .set_allowed_algs([
                CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            ])
            // Expired: `exp` before now, less the skew tolerated.
            .set_time_fn(move || now - chrono::Duration::seconds(CLOCK_SKEW_SECONDS))
            .set_auth_context_verifier_fn(move |acr| {
                if acr_values.is_empty()
                    || acr.is_some_and(|acr| acr_values.iter().any(|v| v == acr.as_str()))
                {
                    Ok(())
                } else {
                    Err(format!("acr {acr:?} is not one of {acr_values:?}"))
                }
            })
    }

    /// The ID token's subject and access token hash, once every check of
    /// the ID token passed.
    fn check_id_token(
        &self,
        client: &Client,
        id_token: &CoreIdToken,
        nonce: &Nonce,
        now: DateTime<Utc>,
    ) -> Result<(String, Option<AccessTokenHash>), Failure> {
        let verifier = self.id_token_verifier(client, now);
        let claims = id_token
            .claims(&verifier, nonce)
            .map_err(|e| claims_failure(&e))?;
        if claims.issue_time() > now + chrono::Duration::seconds(CLOCK_SKEW_SECONDS) {
            return Err(Failure::ClockSkew);
        }
        Ok((
            claims.subject().as_str().to_owned(),
            claims.access_token_hash().cloned(),
        ))
    }

    /// Where to send the browser to end the provider's session too, with
    /// the ID token as `id_token_hint`; none when the provider has no
    /// end-session endpoint.
    pub fn end_session_url(
        &self,
        id_token: &str,
        state: &str,
    ) -> Result<Option<url::Url>, Failure> {
        let metadata = self.metadata(false)?;
        let Some(endpoint) = metadata.additional_metadata().end_session_endpoint.clone() else {
            return Ok(None);
        };
        let hint: CoreIdToken = id_token
            .parse()
            .map_err(|_| Failure::Invalid("kept ID token unreadable".into()))?;
        Ok(Some(
            LogoutRequest::from(endpoint)
                .set_id_token_hint(&hint)
                .set_post_logout_redirect_uri(PostLogoutRedirectUrl::from_url(
                    self.settings.post_logout_redirect_uri.clone(),
                ))
                .set_state(CsrfToken::new(state.to_owned()))
                .http_get_url(),
        ))
    }
}
