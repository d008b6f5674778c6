//! The rules: validation, lifecycles, who may do what to which record, and
//! the transactions that apply them (with their audit events). One folder
//! per area; `audit`, `validate` and `text` serve them all.
//!
//! Domain functions are synchronous and take a connection, so that several
//! compose inside one transaction; what spans several transactions or
//! blocking work (password hashing, rendering) lives in `crate::service`.

pub mod accounts;
pub mod actions;
pub mod audit;
pub mod inbox;
pub mod indicators;
pub mod meetings;
pub mod minutes;
pub mod registry;
pub mod text;
pub mod validate;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// The structure whose registry the caller writes to. Administrators belong
/// to none: the registry is kept by each structure's own staff.
pub fn own_structure(caller: &Caller) -> AppResult<String> {
    caller.structure_id.clone().ok_or(AppError::Forbidden)
}

/// Optimistic concurrency: a save made from a form read at `seen` (the
/// record's `updated_at` then) is refused when the record has changed
/// since; `None` (the API's PATCH) saves over whatever is there.
pub fn unchanged_since(
    seen: Option<chrono::DateTime<chrono::Utc>>,
    current: chrono::NaiveDateTime,
) -> AppResult<()> {
    // Forms carry microseconds, as PostgreSQL keeps them.
    let micros = |t: chrono::NaiveDateTime| t.and_utc().timestamp_micros();
    match seen {
        Some(seen) if seen.timestamp_micros() != micros(current) => Err(AppError::Stale),
        _ => Ok(()),
    }
}

/// A record asked for by its id: absent, or outside the caller's scope, is
/// a 404 (never telling which).
pub trait Found<T> {
    fn found(self) -> AppResult<T>;
}

impl<T> Found<T> for diesel::QueryResult<Option<T>> {
    fn found(self) -> AppResult<T> {
        self?.ok_or(AppError::NotFound)
    }
}
