//! The `organizations` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Page, Scope};
use crate::db::DbConn;
use crate::db::schema::{members, organizations};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub struct OrganizationRow {
    pub id: String,
    pub structure_id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub kind: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The folded name: unique within a structure.
    pub name_key: String,
    /// The folded name and acronym, searched.
    pub search_key: String,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &OrganizationRow) -> QueryResult<()> {
    diesel::insert_into(organizations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &OrganizationRow) -> QueryResult<()> {
    diesel::update(organizations::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(organizations::table.find(id))
        .execute(conn)
        .map(drop)
}

type Boxed<'a> = organizations::BoxedQuery<'a, crate::db::Backend>;

fn scoped<'a>(scope: &Scope) -> Boxed<'a> {
    let query = organizations::table.into_boxed();
    match scope {
        Scope::All => query,
        Scope::Structure(own) => query.filter(organizations::structure_id.eq(own.clone())),
    }
}

/// The organization `id` if visible in `scope`; `NotFound` otherwise.
pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Option<OrganizationRow>> {
    scoped(scope)
        .filter(organizations::id.eq(id.to_owned()))
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()
}

/// The organization of the structure with this folded name or acronym
/// (the CSV import matches organizations by name this way).
pub fn find_by_name(
    conn: &mut DbConn,
    structure_id: &str,
    name_key: &str,
) -> QueryResult<Option<OrganizationRow>> {
    organizations::table
        .filter(organizations::structure_id.eq(structure_id))
        .filter(organizations::name_key.eq(name_key))
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()
}

pub struct OrganizationFilter {
    pub terms: Vec<String>,
    pub include_archived: bool,
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &OrganizationFilter,
    page: Page,
) -> QueryResult<(Vec<OrganizationRow>, i64)> {
    let filtered = || {
        let mut query = scoped(scope);
        if !filter.include_archived {
            query = query.filter(organizations::archived_at.is_null());
        }
        for term in &filter.terms {
            query = query.filter(organizations::search_key.like(format!("%{term}%")));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((organizations::search_key.asc(), organizations::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(OrganizationRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Whether any member, archived or not, belongs to the organization.
pub fn has_members(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    let count: i64 = members::table
        .filter(members::organization_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}
