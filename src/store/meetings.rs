//! The `meetings` and `agenda_items` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Page, Scope};
use crate::db::DbConn;
use crate::db::schema::{agenda_items, meetings};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = meetings, treat_none_as_null = true)]
pub struct MeetingRow {
    pub id: String,
    pub structure_id: String,
    pub committee_id: String,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub location: Option<String>,
    pub mode: String,
    pub chair_member_id: Option<String>,
    pub status: String,
    pub sequence: i32,
    pub auto_reminder_sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = agenda_items, treat_none_as_null = true)]
pub struct AgendaItemRow {
    pub id: String,
    pub structure_id: String,
    pub meeting_id: String,
    pub position: i32,
    pub title: String,
    pub presenter: Option<String>,
    pub annex_label: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &MeetingRow) -> QueryResult<()> {
    diesel::insert_into(meetings::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &MeetingRow) -> QueryResult<()> {
    diesel::update(meetings::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Option<MeetingRow>> {
    let mut query = meetings::table
        .filter(meetings::id.eq(id.to_owned()))
        .select(MeetingRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(meetings::structure_id.eq(own.clone()));
    }
    query.first(conn).optional()
}

/// A committee's meetings, most recent first.
pub fn list(
    conn: &mut DbConn,
    committee_id: &str,
    page: Page,
) -> QueryResult<(Vec<MeetingRow>, i64)> {
    let total = meetings::table
        .filter(meetings::committee_id.eq(committee_id))
        .count()
        .get_result(conn)?;
    let items = meetings::table
        .filter(meetings::committee_id.eq(committee_id))
        .order((meetings::starts_at.desc(), meetings::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(MeetingRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Which meetings of the caller's structures `in_scope` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Ending at or after the instant, soonest first.
    Upcoming(NaiveDateTime),
    /// Ended before the instant, most recent first.
    Past(NaiveDateTime),
}

/// The meetings of every committee in scope, with their committee's name.
pub fn in_scope(
    conn: &mut DbConn,
    scope: &Scope,
    when: When,
    page: Page,
) -> QueryResult<(Vec<(MeetingRow, String)>, i64)> {
    use crate::db::schema::committees;
    let filtered = || {
        let mut query = meetings::table
            .inner_join(committees::table.on(committees::id.eq(meetings::committee_id)))
            .into_boxed();
        if let Scope::Structure(own) = scope {
            query = query.filter(meetings::structure_id.eq(own.clone()));
        }
        match when {
            When::Upcoming(at) => query.filter(meetings::ends_at.ge(at)),
            When::Past(at) => query.filter(meetings::ends_at.lt(at)),
        }
    };
    let total = filtered().count().get_result(conn)?;
    let ordered = match when {
        When::Upcoming(_) => filtered().order((meetings::starts_at.asc(), meetings::id.asc())),
        When::Past(_) => filtered().order((meetings::starts_at.desc(), meetings::id.asc())),
    };
    let items = ordered
        .limit(page.limit)
        .offset(page.offset)
        .select((MeetingRow::as_select(), committees::name))
        .load(conn)?;
    Ok((items, total))
}

/// The committee's latest meeting before `before` whose minutes are signed.
pub fn last_signed_before(
    conn: &mut DbConn,
    committee_id: &str,
    before: NaiveDateTime,
) -> QueryResult<Option<MeetingRow>> {
    meetings::table
        .filter(meetings::committee_id.eq(committee_id))
        .filter(meetings::status.eq("minutes_signed"))
        .filter(meetings::starts_at.lt(before))
        .order(meetings::starts_at.desc())
        .select(MeetingRow::as_select())
        .first(conn)
        .optional()
}

/// Convened meetings starting between `from` and `until` whose automatic
/// reminder has not gone out.
pub fn due_for_reminder(
    conn: &mut DbConn,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<MeetingRow>> {
    meetings::table
        .filter(meetings::status.eq("convened"))
        .filter(meetings::auto_reminder_sent_at.is_null())
        .filter(meetings::starts_at.gt(from))
        .filter(meetings::starts_at.le(until))
        .select(MeetingRow::as_select())
        .load(conn)
}

/// Takes the automatic reminder of a meeting for this transaction: true
/// for the one that sets it; another server's concurrent attempt finds it
/// set (PostgreSQL re-reads the row once the first commits) and skips it.
pub fn claim_auto_reminder(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        meetings::table
            .find(id)
            .filter(meetings::auto_reminder_sent_at.is_null()),
    )
    .set(meetings::auto_reminder_sent_at.eq(at))
    .execute(conn)
    .map(|changed| changed == 1)
}

pub fn insert_item(conn: &mut DbConn, row: &AgendaItemRow) -> QueryResult<()> {
    diesel::insert_into(agenda_items::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update_item(conn: &mut DbConn, row: &AgendaItemRow) -> QueryResult<()> {
    diesel::update(agenda_items::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn delete_item(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(agenda_items::table.find(id))
        .execute(conn)
        .map(drop)
}

pub fn find_item(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Option<AgendaItemRow>> {
    let mut query = agenda_items::table
        .filter(agenda_items::id.eq(id.to_owned()))
        .select(AgendaItemRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(agenda_items::structure_id.eq(own.clone()));
    }
    query.first(conn).optional()
}

/// A meeting's agenda, in order.
pub fn items(conn: &mut DbConn, meeting_id: &str) -> QueryResult<Vec<AgendaItemRow>> {
    agenda_items::table
        .filter(agenda_items::meeting_id.eq(meeting_id))
        .order((agenda_items::position.asc(), agenda_items::created_at.asc()))
        .select(AgendaItemRow::as_select())
        .load(conn)
}

pub fn set_position(conn: &mut DbConn, id: &str, position: i32) -> QueryResult<()> {
    diesel::update(agenda_items::table.find(id))
        .set(agenda_items::position.eq(position))
        .execute(conn)
        .map(drop)
}
