//! The `login_failures` table: recent failed logins, by throttle key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::login_failures;

/// Records a failure of `key` at `at`; returns its id.
pub fn insert(conn: &mut DbConn, key: &str, at: NaiveDateTime) -> QueryResult<String> {
    let id = super::new_id();
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(&id),
            login_failures::throttle_key.eq(key),
            login_failures::failed_at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn delete(conn: &mut DbConn, ids: &[String]) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::id.eq_any(ids)))
        .execute(conn)
        .map(drop)
}

/// Failures of `key` since `since`, and the oldest of them.
pub fn count_since(
    conn: &mut DbConn,
    key: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let recent = || {
        login_failures::table
            .filter(login_failures::throttle_key.eq(key.to_owned()))
            .filter(login_failures::failed_at.ge(since))
    };
    let count = recent().count().get_result(conn)?;
    let oldest = recent()
        .select(diesel::dsl::min(login_failures::failed_at))
        .first(conn)?;
    Ok((count, oldest))
}

pub fn clear(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::throttle_key.eq(key)))
        .execute(conn)
        .map(drop)
}

/// Forgets the failures of `key` older than `before`. By key, through the
/// index: on PostgreSQL a scan of the whole table would make every sign-in
/// collide with every other (`SERIALIZABLE`).
pub fn prune(conn: &mut DbConn, key: &str, before: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::throttle_key.eq(key))
            .filter(login_failures::failed_at.lt(before)),
    )
    .execute(conn)
    .map(drop)
}
