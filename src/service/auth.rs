//! Signing in, the password asked again, and changing one's own password.

use std::time::Instant;

use actix_web::web;

use crate::auth::recent::Account;
use crate::auth::{Caller, Role, password};
use crate::domain::accounts::login::{self, Credentials, MAX_INPUT_LEN};
use crate::domain::accounts::password as own_password;
use crate::error::{AppError, AppResult};
use crate::metrics::Login;
use crate::state::AppState;
use crate::store;
use crate::store::users::UserRow;

/// Verifies a password on the blocking pool; over-long input never matches.
/// Without a stored hash (no such account), against the decoy: the same
/// time, never a match.
async fn verify(typed: String, stored: Option<String>, decoy: password::Decoy) -> AppResult<bool> {
    web::block(move || {
        let stored = match stored {
            Some(stored) => stored,
            None => decoy.hash()?,
        };
        Ok(typed.len() <= MAX_INPUT_LEN && password::verify(&typed, &stored))
    })
    .await?
}

/// Checks e-mail and password under the sign-in throttle; returns the
/// account (the caller issues a token or opens a session). Every failure
/// gets the same `InvalidCredentials`.
pub async fn sign_in(
    state: &AppState,
    credentials: Credentials,
    client: &str,
) -> AppResult<UserRow> {
    let outcome = checked_sign_in(state, credentials, client).await;
    state.metrics.login(match &outcome {
        Ok(_) => Login::Succeeded,
        Err(AppError::TooManyRequests { .. }) => Login::Throttled,
        Err(_) => Login::Failed,
    });
    outcome
}

async fn checked_sign_in(
    state: &AppState,
    credentials: Credentials,
    client: &str,
) -> AppResult<UserRow> {
    let email = credentials.email.trim().to_lowercase();
    let now = state.clock.now();
    let keys = login::sign_in_keys(&email, client);
    let (attempt, user) = {
        let email = email.clone();
        state
            .db
            .write(move |conn| {
                let attempt = login::admit(conn, keys, now)?;
                Ok((attempt, store::users::find_by_email(conn, &email)?))
            })
            .await?
    };
    // Always hash: an unknown or disabled account costs what a wrong password costs.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = email.len() <= MAX_INPUT_LEN
        && verify(credentials.password, stored, state.decoy.clone()).await?;
    // A failure stays recorded: `admit` counted it already.
    let user = user
        .filter(|u| matches && u.active)
        .ok_or(AppError::InvalidCredentials)?;
    state
        .db
        .write(move |conn| login::signed_in(conn, &attempt, user, now))
        .await
}

/// The signed-in user's password, asked again before an act that needs it
/// (`purpose`: "sign", "password"), under its own throttle; each failure
/// is audited.
pub async fn reauthenticate(
    state: &AppState,
    caller: &Caller,
    typed: String,
    purpose: &'static str,
) -> AppResult<()> {
    let now = state.clock.now();
    let (keys, user_id) = (
        vec![login::reauthentication_key(&caller.user_id)],
        caller.user_id.clone(),
    );
    let (attempt, stored) = state
        .db
        .write(move |conn| {
            let attempt = login::admit(conn, keys, now)?;
            let user = store::users::find_any(conn, &user_id)?.ok_or(AppError::Unauthorized)?;
            Ok((attempt, user.password_hash))
        })
        .await?;
    if verify(typed, Some(stored), state.decoy.clone()).await? {
        state
            .db
            .write(move |conn| login::succeeded(conn, &attempt))
            .await
    } else {
        let caller = caller.clone();
        state
            .db
            .write(move |conn| login::reauthentication_failed(conn, &caller, now, purpose))
            .await?;
        Err(AppError::InvalidCredentials)
    }
}

/// Changes the caller's own password, given the current one. Every token
/// and session of the account ends, this one included.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    current: String,
    new: String,
) -> AppResult<i32> {
    own_password::check_new(&new)?;
    match reauthenticate(state, caller, current, "password").await {
        Err(AppError::InvalidCredentials) => {
            return Err(AppError::validation(
                "current_password",
                "le mot de passe actuel est incorrect",
            ));
        }
        other => other?,
    }
    let hash = web::block(move || password::hash(&new)).await??;
    let (caller, now) = (caller.clone(), state.clock.now());
    state
        .db
        .write(move |conn| own_password::set(conn, &caller, now, hash))
        .await
}

/// The caller whose credential (token or session) names `user_id` at
/// `token_version`: the account as it is now, still there, still active,
/// same version — so a disabled or changed account's credentials stop at
/// once on this server, within a second on the others (`auth::recent`).
pub async fn caller(state: &AppState, user_id: String, token_version: i32) -> AppResult<Caller> {
    let changes = store::users::changes();
    if let Some(account) = state.accounts.get(&user_id, changes, Instant::now()) {
        return account.admits(token_version).ok_or(AppError::Unauthorized);
    }
    let read_at = Instant::now();
    let Some(user) = state
        .db
        .read(move |conn| Ok(store::users::find_any(conn, &user_id)?))
        .await?
    else {
        return Err(AppError::Unauthorized);
    };
    let role = Role::parse(&user.role)
        .ok_or_else(|| AppError::internal(format!("unknown role {}", user.role)))?;
    let account = Account {
        caller: Caller {
            user_id: user.id,
            email: user.email,
            display_name: user.display_name,
            role,
            structure_id: user.structure_id,
        },
        active: user.active,
        token_version: user.token_version,
    };
    let admitted = account.admits(token_version);
    state.accounts.put(account, changes, read_at);
    admitted.ok_or(AppError::Unauthorized)
}
