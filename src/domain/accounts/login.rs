//! Staff sign-in and the password asked again (at signing, to change one's
//! own password): one answer for every failure (no account enumeration),
//! the same hashing cost whether the account exists or not, and a throttle
//! per e-mail, per client address and per user kept in the database.
//!
//! An attempt is recorded as a failure *before* its password is checked,
//! and dropped if the password is right: parallel guesses count each other,
//! so at most `MAX_FAILURES` passwords are ever checked in a window.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::audit::{self, Event};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::users::UserRow;

/// Failures allowed per key within the window; the next attempt is refused.
pub const MAX_FAILURES: i64 = 10;
pub const WINDOW_MINUTES: i64 = 15;
/// Longer inputs are refused without hashing them.
pub const MAX_INPUT_LEN: usize = 1024;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// The throttle keys of a sign-in: the e-mail and the client's address.
pub fn sign_in_keys(email: &str, client: &str) -> Vec<String> {
    vec![format!("email:{email}"), format!("addr:{client}")]
}

/// The throttle key of a password asked again of a signed-in user.
pub fn reauthentication_key(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// An attempt let through the throttle: recorded as a failure of each key
/// until `succeeded` drops it.
#[derive(Debug, Clone)]
pub struct Attempt {
    keys: Vec<String>,
    ids: Vec<String>,
}

/// Refuses (429, with the wait) when a key has had `MAX_FAILURES` failures
/// within the window; otherwise records this attempt against every key.
pub fn admit(conn: &mut DbConn, keys: Vec<String>, now: DateTime<Utc>) -> AppResult<Attempt> {
    let window_start = (now - Duration::minutes(WINDOW_MINUTES)).naive_utc();
    let mut retry_after = None;
    for key in &keys {
        let (failures, oldest) = store::login_failures::count_since(conn, key, window_start)?;
        if failures >= MAX_FAILURES {
            let free_at = oldest.unwrap_or(window_start) + Duration::minutes(WINDOW_MINUTES);
            let wait = (free_at - now.naive_utc()).num_seconds().max(1);
            retry_after = Some(retry_after.map_or(wait, |w: i64| w.max(wait)));
        }
    }
    if let Some(retry_after_seconds) = retry_after {
        tracing::warn!("password attempt throttled");
        return Err(AppError::TooManyRequests {
            retry_after_seconds,
        });
    }
    let mut ids = Vec::with_capacity(keys.len());
    for key in &keys {
        store::login_failures::prune(conn, key, window_start)?;
        ids.push(store::login_failures::insert(conn, key, now.naive_utc())?);
    }
    Ok(Attempt { keys, ids })
}

/// The password was right: the attempt was no failure, and the failures
/// of its first key (the e-mail, or the user) are forgiven.
pub fn succeeded(conn: &mut DbConn, attempt: &Attempt) -> AppResult<()> {
    store::login_failures::delete(conn, &attempt.ids)?;
    if let Some(key) = attempt.keys.first() {
        store::login_failures::clear(conn, key)?;
    }
    Ok(())
}

/// Records a successful sign-in; returns the account as it now is.
pub fn signed_in(
    conn: &mut DbConn,
    attempt: &Attempt,
    user: UserRow,
    now: DateTime<Utc>,
) -> AppResult<UserRow> {
    succeeded(conn, attempt)?;
    store::users::record_login(conn, &user.id, now.naive_utc())?;
    Ok(UserRow {
        last_login_at: Some(now.naive_utc()),
        ..user
    })
}

/// Audits a wrong password given again by a signed-in user (`purpose`:
/// "sign", "password").
pub fn reauthentication_failed(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    purpose: &str,
) -> AppResult<()> {
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: caller.structure_id.as_deref(),
            action: "user.reauthentication_failed",
            entity: "user",
            entity_id: &caller.user_id,
            summary: json!({ "purpose": purpose }),
        },
    )
}
