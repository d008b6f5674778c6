//! The `structures` table.

use std::cell::RefCell;

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

thread_local! {
    /// PostgreSQL: the structures whose revision moves once the write
    /// transaction open on this thread commits.
    static PENDING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Moves the structure's revision on: its data changed (`audit::record`).
///
/// On SQLite, in the transaction (one writer at a time). On PostgreSQL,
/// right after the transaction commits (`db::write_transaction` calls
/// `advance_committed`): every serializable transaction of a structure
/// updating the structure's one row would collide with the others and be
/// run again. After the commit is safe for the conditional reads, which
/// read the revision before the rows: a revision older than the rows only
/// makes the next conditional read a full one.
pub fn advance_revision(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(_) => diesel::update(structures::table.find(id))
            .set(structures::revision.eq(structures::revision + 1))
            .execute(conn)
            .map(drop),
        DbConn::Pg(_) => {
            PENDING.with(|pending| pending.borrow_mut().push(id.to_owned()));
            Ok(())
        }
    }
}

/// Forgets the revisions a transaction of this thread left (rolled back).
pub fn forget_pending() {
    PENDING.with(|pending| pending.borrow_mut().clear());
}

/// PostgreSQL: moves on, outside any transaction, the revisions of what
/// the transaction just committed changed (each row alone, in the same
/// order everywhere: no deadlock between servers).
pub fn advance_committed(conn: &mut DbConn) -> QueryResult<()> {
    let mut ids = PENDING.with(|pending| std::mem::take(&mut *pending.borrow_mut()));
    ids.sort();
    ids.dedup();
    for id in ids {
        diesel::update(structures::table.find(&id))
            .set(structures::revision.eq(structures::revision + 1))
            .execute(conn)?;
    }
    Ok(())
}

/// The structure's revision: it moves with every change of its data.
pub fn revision(conn: &mut DbConn, id: &str) -> QueryResult<Option<i64>> {
    structures::table
        .find(id)
        .select(structures::revision)
        .first(conn)
        .optional()
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
