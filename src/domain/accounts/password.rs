//! One's own password: every user changes it by giving the current one
//! (checked, under its throttle, by `service::auth::change_own_password`),
//! and the change ends every token and session of the account.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::{Caller, password};
use crate::db::DbConn;
use crate::domain::audit::{self, Event};
use crate::domain::validate::Check;
use crate::error::{AppError, AppResult};
use crate::store;

/// The password rule, for a new password of one's own.
pub fn check_new(new: &str) -> AppResult<()> {
    let mut check = Check::new();
    check.push(password::check_policy("new_password", new));
    check.finish()
}

/// Sets the caller's own password (the current one was checked) and ends
/// every token and session of the account; returns the account's new
/// token version (the session that made the change may go on with it).
pub fn set(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    password_hash: String,
) -> AppResult<i32> {
    let mut row = store::users::find_any(conn, &caller.user_id)?.ok_or(AppError::Unauthorized)?;
    row.password_hash = password_hash;
    row.token_version += 1;
    row.updated_at = now.naive_utc();
    store::users::update(conn, &row)?;
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: row.structure_id.as_deref(),
            action: "user.update",
            entity: "user",
            entity_id: &row.id,
            summary: json!({ "changed": ["password"], "by": "self" }),
        },
    )?;
    Ok(row.token_version)
}
