//! The `oidc_identities` table (which provider identity is which user) and
//! the `oidc_requests` table (authorization requests awaiting their answer).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{oidc_identities, oidc_requests};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oidc_identities)]
pub struct IdentityRow {
    pub issuer: String,
    pub subject: String,
    pub user_id: String,
    pub email: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = oidc_requests)]
pub struct RequestRow {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub created_at: NaiveDateTime,
}

/// The user `subject` of `issuer` is linked to, if any.
pub fn find_by_subject(
    conn: &mut DbConn,
    issuer: &str,
    subject: &str,
) -> QueryResult<Option<IdentityRow>> {
    oidc_identities::table
        .find((issuer, subject))
        .select(IdentityRow::as_select())
        .first(conn)
        .optional()
}

/// The identity of `issuer` that `user_id` is linked to, if any.
pub fn find_by_user(
    conn: &mut DbConn,
    issuer: &str,
    user_id: &str,
) -> QueryResult<Option<IdentityRow>> {
    oidc_identities::table
        .filter(oidc_identities::issuer.eq(issuer))
        .filter(oidc_identities::user_id.eq(user_id))
        .select(IdentityRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_identity(conn: &mut DbConn, row: &IdentityRow) -> QueryResult<()> {
    diesel::insert_into(oidc_identities::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Notes a sign-in through the identity, with the e-mail given this time.
pub fn identity_used(
    conn: &mut DbConn,
    issuer: &str,
    subject: &str,
    email: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(oidc_identities::table.find((issuer, subject)))
        .set((
            oidc_identities::email.eq(email),
            oidc_identities::last_used_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn insert_request(conn: &mut DbConn, row: &RequestRow) -> QueryResult<()> {
    diesel::insert_into(oidc_requests::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Removes the request of `state` and returns it: whoever gets it first
/// is the only one who does.
pub fn take_request(conn: &mut DbConn, state: &str) -> QueryResult<Option<RequestRow>> {
    let row = oidc_requests::table
        .find(state)
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?;
    if row.is_some() {
        diesel::delete(oidc_requests::table.find(state)).execute(conn)?;
    }
    Ok(row)
}

/// Forgets the requests made before `before` (never answered), through
/// the index on `created_at`.
pub fn prune_requests(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(oidc_requests::table.filter(oidc_requests::created_at.lt(before)))
        .execute(conn)
        .map(drop)
}
