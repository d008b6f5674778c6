//! The `committees` and `memberships` tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{Page, Scope};
use crate::db::DbConn;
use crate::db::schema::{committees, members, memberships, organizations};
use crate::store::members::{MemberRow, OrganizationName};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = committees, treat_none_as_null = true)]
pub struct CommitteeRow {
    pub id: String,
    pub structure_id: String,
    pub name: String,
    pub kind: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = memberships, treat_none_as_null = true)]
pub struct MembershipRow {
    pub id: String,
    pub structure_id: String,
    pub committee_id: String,
    pub member_id: String,
    pub role: String,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// The membership this one stands in for (a suppléant's titular).
    pub substitute_for: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &CommitteeRow) -> QueryResult<()> {
    diesel::insert_into(committees::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &CommitteeRow) -> QueryResult<()> {
    diesel::update(committees::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Option<CommitteeRow>> {
    let mut query = committees::table
        .filter(committees::id.eq(id.to_owned()))
        .select(CommitteeRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(committees::structure_id.eq(own.clone()));
    }
    query.first(conn).optional()
}

pub fn list(conn: &mut DbConn, scope: &Scope, page: Page) -> QueryResult<(Vec<CommitteeRow>, i64)> {
    let filtered = || {
        let mut query = committees::table.into_boxed();
        if let Scope::Structure(own) = scope {
            query = query.filter(committees::structure_id.eq(own.clone()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((committees::name.asc(), committees::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(CommitteeRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn insert_membership(conn: &mut DbConn, row: &MembershipRow) -> QueryResult<()> {
    diesel::insert_into(memberships::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update_membership(conn: &mut DbConn, row: &MembershipRow) -> QueryResult<()> {
    diesel::update(memberships::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn delete_membership(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(memberships::table.filter(memberships::substitute_for.eq(id)))
        .set(memberships::substitute_for.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(memberships::table.find(id))
        .execute(conn)
        .map(drop)
}

pub fn find_membership(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
) -> QueryResult<Option<MembershipRow>> {
    let mut query = memberships::table
        .filter(memberships::id.eq(id.to_owned()))
        .select(MembershipRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(memberships::structure_id.eq(own.clone()));
    }
    query.first(conn).optional()
}

/// The membership that stands in for `id`, if any.
pub fn substitute_of(conn: &mut DbConn, id: &str) -> QueryResult<Option<MembershipRow>> {
    memberships::table
        .filter(memberships::substitute_for.eq(id))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()
}

/// A committee's memberships with their members, chair first, then by name.
pub fn memberships_of(
    conn: &mut DbConn,
    committee_id: &str,
) -> QueryResult<Vec<(MembershipRow, MemberRow, OrganizationName)>> {
    memberships::table
        .inner_join(members::table.left_join(organizations::table))
        .filter(memberships::committee_id.eq(committee_id))
        .order((
            members::last_name.asc(),
            members::first_name.asc(),
            memberships::id.asc(),
        ))
        .select((
            MembershipRow::as_select(),
            MemberRow::as_select(),
            (organizations::name, organizations::acronym).nullable(),
        ))
        .load(conn)
}

/// Every membership of a member, with its committee's name.
pub fn memberships_of_member(
    conn: &mut DbConn,
    member_id: &str,
) -> QueryResult<Vec<(MembershipRow, String)>> {
    memberships::table
        .inner_join(committees::table)
        .filter(memberships::member_id.eq(member_id))
        .order(memberships::created_at.asc())
        .select((MembershipRow::as_select(), committees::name))
        .load(conn)
}

/// The (member, committee) pairs of these members' seats, past ones too.
pub fn seats_of_members(
    conn: &mut DbConn,
    member_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    memberships::table
        .filter(memberships::member_id.eq_any(member_ids))
        .select((memberships::member_id, memberships::committee_id))
        .load(conn)
}
