//! The `structures` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Page, Scope};
use crate::db::DbConn;
use crate::db::schema::structures;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = structures, treat_none_as_null = true)]
pub struct StructureRow {
    pub id: String,
    pub name: String,
    pub department_code: String,
    pub city: String,
    pub service_name: String,
    /// JSON array of lines.
    pub letterhead: String,
    pub case_officer_name: Option<String>,
    pub case_officer_phone: Option<String>,
    pub case_officer_email: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &StructureRow) -> QueryResult<()> {
    diesel::insert_into(structures::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &StructureRow) -> QueryResult<()> {
    diesel::update(structures::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// The structure `id` if visible in `scope`; `NotFound` otherwise.
pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Option<StructureRow>> {
    let mut query = structures::table
        .filter(structures::id.eq(id))
        .select(StructureRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(structures::id.eq(own.clone()));
    }
    query.first(conn).optional()
}

pub fn list(conn: &mut DbConn, scope: &Scope, page: Page) -> QueryResult<(Vec<StructureRow>, i64)> {
    let filtered = || {
        let mut query = structures::table.into_boxed();
        if let Scope::Structure(own) = scope {
            query = query.filter(structures::id.eq(own.clone()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((structures::name.asc(), structures::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(StructureRow::as_select())
        .load(conn)?;
    Ok((items, total))
}
