//! The `users` table: staff accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use std::sync::atomic::{AtomicU64, Ordering};

use super::{Page, Scope};
use crate::db::DbConn;
use crate::db::schema::users;

/// Changes this process made to the `users` table: an account read
/// before a change is not trusted after it (`auth::recent`).
static CHANGES: AtomicU64 = AtomicU64::new(0);

/// The count of changes to the `users` table made by this process.
pub fn changes() -> u64 {
    CHANGES.load(Ordering::Acquire)
}

fn changed<T>(result: QueryResult<T>) -> QueryResult<()> {
    CHANGES.fetch_add(1, Ordering::AcqRel);
    result.map(drop)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub structure_id: Option<String>,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    pub token_version: i32,
    pub last_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &UserRow) -> QueryResult<()> {
    changed(diesel::insert_into(users::table).values(row).execute(conn))
}

pub fn update(conn: &mut DbConn, row: &UserRow) -> QueryResult<()> {
    changed(
        diesel::update(users::table.find(&row.id))
            .set(row)
            .execute(conn),
    )
}

pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    changed(diesel::delete(users::table.find(id)).execute(conn))
}

/// Any user by id, whatever the structure (authentication).
pub fn find_any(conn: &mut DbConn, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The user `id` if visible in `scope`; `NotFound` otherwise.
pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Option<UserRow>> {
    let mut query = users::table
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(users::structure_id.eq(own.clone()));
    }
    query.first(conn).optional()
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    structure_filter: Option<&str>,
    page: Page,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let filtered = || {
        let mut query = users::table.into_boxed();
        if let Scope::Structure(own) = scope {
            query = query.filter(users::structure_id.eq(own.clone()));
        }
        if let Some(structure_id) = structure_filter {
            query = query.filter(users::structure_id.eq(structure_id.to_owned()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((users::email.asc(), users::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn record_login(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(Some(at)))
        .execute(conn)
        .map(drop)
}

/// The active users of a structure with one role (who is told of the
/// minutes' progress), by e-mail.
pub fn active_with_role(
    conn: &mut DbConn,
    structure_id: &str,
    role: &str,
) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::structure_id.eq(structure_id))
        .filter(users::role.eq(role))
        .filter(users::active.eq(true))
        .order(users::email.asc())
        .select(UserRow::as_select())
        .load(conn)
}
