//! Staff login: one answer for every failure (no account enumeration), the
//! same hashing cost whether the account exists or not, and a throttle per
//! e-mail and per client address kept in the database.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::User;
use crate::auth::password;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;

/// Failures allowed per key within the window; the next attempt is refused.
pub const MAX_FAILURES: i64 = 10;
pub const WINDOW_MINUTES: i64 = 15;
/// Longer inputs are refused without hashing them.
const MAX_INPUT_LEN: usize = 1024;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub user: User,
}

fn throttle_keys(email: &str, client: &str) -> [String; 2] {
    [format!("email:{email}"), format!("addr:{client}")]
}

pub async fn login(
    state: &AppState,
    credentials: Credentials,
    client: String,
) -> AppResult<LoginResponse> {
    let email = credentials.email.trim().to_lowercase();
    let now = state.clock.now();
    let window_start = (now - Duration::minutes(WINDOW_MINUTES)).naive_utc();
    let keys = throttle_keys(&email, &client);

    let (throttled, user) = {
        let keys = keys.clone();
        let email = email.clone();
        state
            .db
            .read(move |conn| {
                let mut retry_after = None;
                for key in &keys {
                    let (failures, oldest) =
                        store::login_failures::count_since(conn, key, window_start)?;
                    if failures >= MAX_FAILURES {
                        let free_at =
                            oldest.unwrap_or(window_start) + Duration::minutes(WINDOW_MINUTES);
                        let wait = (free_at - now.naive_utc()).num_seconds().max(1);
                        retry_after = Some(retry_after.map_or(wait, |w: i64| w.max(wait)));
                    }
                }
                Ok((retry_after, store::users::find_by_email(conn, &email)?))
            })
            .await?
    };
    if let Some(retry_after_seconds) = throttled {
        tracing::warn!("login throttled");
        return Err(AppError::TooManyRequests {
            retry_after_seconds,
        });
    }

    // Always hash: an unknown or disabled account costs what a wrong password costs.
    let stored = user
        .as_ref()
        .map_or_else(|| state.decoy_hash.to_string(), |u| u.password_hash.clone());
    let password = credentials.password;
    let matches = actix_web::web::block(move || {
        password.len() <= MAX_INPUT_LEN
            && email.len() <= MAX_INPUT_LEN
            && password::verify(&password, &stored)
    })
    .await?;
    let user = user.filter(|u| matches && u.active);

    let Some(user) = user else {
        state
            .db
            .write(move |conn| {
                store::login_failures::prune(conn, window_start)?;
                for key in &keys {
                    store::login_failures::insert(conn, key, now.naive_utc())?;
                }
                Ok(())
            })
            .await?;
        return Err(AppError::InvalidCredentials);
    };

    let email_key = keys[0].clone();
    let user = state
        .db
        .write(move |conn| {
            store::login_failures::clear(conn, &email_key)?;
            store::users::record_login(conn, &user.id, now.naive_utc())?;
            Ok(store::users::UserRow {
                last_login_at: Some(now.naive_utc()),
                ..user
            })
        })
        .await?;
    let ttl = state.settings.token_ttl_seconds;
    let access_token = state.keys.issue_access(
        &user.id,
        &user.role,
        user.structure_id.as_deref(),
        user.token_version,
        now,
        ttl,
    )?;
    Ok(LoginResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        user: user.try_into()?,
    })
}
