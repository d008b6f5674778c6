//! Signed tokens (JWT, HS256 only): staff access tokens now, answer links
//! later, each with its own audience and `typ` so one is useless as the other.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::error::AppError;

pub use crate::config::MIN_SECRET_LEN;
pub const ISSUER: &str = "clu";
pub const ACCESS_AUDIENCE: &str = "clu-staff-api";
pub const ACCESS_TYPE: &str = "access";
pub const RSVP_AUDIENCE: &str = "clu-rsvp";
pub const RSVP_TYPE: &str = "rsvp";
/// Clock skew tolerated on `exp`.
const LEEWAY_SECONDS: i64 = 5;
const SECRET_FILE: &str = "jwt-secret";

/// The claims of a staff access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub typ: String,
    pub role: String,
    pub structure_id: Option<String>,
    /// The user's token version when issued; bumping it revokes the token.
    pub ver: i32,
}

/// The claims of an invitation's answer link.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RsvpClaims {
    pub iss: String,
    pub aud: String,
    /// The invitation.
    pub sub: String,
    pub iat: i64,
    /// The meeting's start: answers close then.
    pub exp: i64,
    pub typ: String,
}

/// Why an answer link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not one of ours: forged, truncated, or another kind of token.
    Invalid,
    /// Ours, but the meeting has started.
    Expired,
}

/// Signing and checking keys, built once at start.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenKeys {
    pub fn from_secret(secret: &[u8]) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(format!(
                "la clé de signature doit contenir au moins {MIN_SECRET_LEN} octets"
            ));
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        })
    }

    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, AppError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("jwt encode: {e}")))
    }

    /// Checks the signature (HS256 only), `iss`, `aud`, and `exp` against
    /// `now` (the application's clock, so that tests can move time).
    fn decode<C: DeserializeOwned + Expiring>(
        &self,
        token: &str,
        audience: &str,
        now: i64,
    ) -> Result<C, LinkError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<C>(token, &self.decoding, &validation)
            .map_err(|e| {
                tracing::debug!(kind = ?e.kind(), "token rejected");
                LinkError::Invalid
            })?
            .claims;
        if claims.expires() + LEEWAY_SECONDS < now {
            return Err(LinkError::Expired);
        }
        Ok(claims)
    }

    pub fn issue_access(
        &self,
        user_id: &str,
        role: &str,
        structure_id: Option<&str>,
        token_version: i32,
        now: DateTime<Utc>,
        ttl_seconds: i64,
    ) -> Result<String, AppError> {
        self.sign(&AccessClaims {
            iss: ISSUER.into(),
            aud: ACCESS_AUDIENCE.into(),
            sub: user_id.into(),
            iat: now.timestamp(),
            exp: now.timestamp() + ttl_seconds,
            typ: ACCESS_TYPE.into(),
            role: role.into(),
            structure_id: structure_id.map(Into::into),
            ver: token_version,
        })
    }

    pub fn issue_rsvp(
        &self,
        invitation_id: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<String, AppError> {
        self.sign(&RsvpClaims {
            iss: ISSUER.into(),
            aud: RSVP_AUDIENCE.into(),
            sub: invitation_id.into(),
            iat: now.timestamp(),
            exp: expires.timestamp(),
            typ: RSVP_TYPE.into(),
        })
    }

    /// The invitation an answer link is for.
    pub fn verify_rsvp(&self, token: &str, now: i64) -> Result<RsvpClaims, LinkError> {
        let claims: RsvpClaims = self.decode(token, RSVP_AUDIENCE, now)?;
        if claims.typ != RSVP_TYPE {
            return Err(LinkError::Invalid);
        }
        Ok(claims)
    }

    /// A staff token's claims; any failure is the same 401, with no detail.
    pub fn verify_access(&self, token: &str, now: i64) -> Result<AccessClaims, AppError> {
        let claims: AccessClaims = self
            .decode(token, ACCESS_AUDIENCE, now)
            .map_err(|_| AppError::Unauthorized)?;
        if claims.typ != ACCESS_TYPE {
            return Err(AppError::Unauthorized);
        }
        Ok(claims)
    }
}

/// Claims that expire.
trait Expiring {
    fn expires(&self) -> i64;
}

impl Expiring for AccessClaims {
    fn expires(&self) -> i64 {
        self.exp
    }
}

impl Expiring for RsvpClaims {
    fn expires(&self) -> i64 {
        self.exp
    }
}

/// The configured key, or the one kept in the data folder, made on first
/// start (32 random bytes, hex, readable by the owner only).
pub fn load_secret(settings: &Settings) -> Result<Vec<u8>, String> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    super::keys::kept(&settings.data_dir, SECRET_FILE, "token signing key")
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::from_secret(&[7u8; 32]).expect("keys")
    }

    #[test]
    fn access_token_round_trips() {
        let now = Utc::now();
        let token = keys()
            .issue_access("u1", "reader", Some("s1"), 3, now, 900)
            .expect("sign");
        let claims = keys()
            .verify_access(&token, now.timestamp())
            .expect("valid");
        assert_eq!(claims.sub, "u1");
        assert_eq!(claims.ver, 3);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn another_key_or_audience_is_refused() {
        let now = Utc::now();
        let token = keys()
            .issue_access("u1", "reader", None, 0, now, 900)
            .expect("sign");
        let other = TokenKeys::from_secret(&[8u8; 32]).expect("keys");
        assert!(other.verify_access(&token, now.timestamp()).is_err());
        assert!(keys().verify_rsvp(&token, now.timestamp()).is_err());
    }

    #[test]
    fn answer_links_are_not_access_tokens_and_expire() {
        let now = Utc::now();
        let link = keys()
            .issue_rsvp("inv-1", now, now + chrono::Duration::hours(1))
            .expect("sign");
        assert_eq!(
            keys()
                .verify_rsvp(&link, now.timestamp())
                .expect("valid")
                .sub,
            "inv-1"
        );
        assert!(keys().verify_access(&link, now.timestamp()).is_err());
        let access = keys()
            .issue_access("u1", "reader", None, 0, now, 900)
            .expect("sign");
        assert_eq!(
            keys().verify_rsvp(&access, now.timestamp()),
            Err(LinkError::Invalid)
        );
        let past = keys()
            .issue_rsvp(
                "inv-1",
                now - chrono::Duration::hours(2),
                now - chrono::Duration::hours(1),
            )
            .expect("sign");
        assert_eq!(
            keys().verify_rsvp(&past, now.timestamp()),
            Err(LinkError::Expired)
        );
        let other = TokenKeys::from_secret(&[8u8; 32]).expect("keys");
        assert_eq!(
            other.verify_rsvp(&link, now.timestamp()),
            Err(LinkError::Invalid)
        );
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(TokenKeys::from_secret(&[1u8; 31]).is_err());
    }
}
