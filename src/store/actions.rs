//! The `actions` table: the action plan of a committee.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Scope;
use crate::db::DbConn;
use crate::db::schema::actions;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = actions, treat_none_as_null = true)]
pub struct ActionRow {
    pub id: String,
    pub structure_id: String,
    pub committee_id: String,
    pub number: Option<i32>,
    pub finding: String,
    pub reference: Option<String>,
    /// JSON array of {kind, date}.
    pub sources: String,
    pub status: String,
    pub due_date: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub cancel_reason: Option<String>,
    pub description: Option<String>,
    pub responsible: Option<String>,
    pub effective: Option<bool>,
    pub verification: Option<String>,
    pub meeting_id: Option<String>,
    /// JSON array of meeting ids.
    pub discussed_in: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &ActionRow) -> QueryResult<()> {
    diesel::insert_into(actions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &ActionRow) -> QueryResult<()> {
    diesel::update(actions::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<ActionRow> {
    let mut query = actions::table
        .filter(actions::id.eq(id.to_owned()))
        .select(ActionRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(actions::structure_id.eq(own.clone()));
    }
    query.first(conn)
}

/// Another action of the committee with this number.
pub fn number_taken(
    conn: &mut DbConn,
    committee_id: &str,
    number: i32,
    except: &str,
) -> QueryResult<bool> {
    let count: i64 = actions::table
        .filter(actions::committee_id.eq(committee_id))
        .filter(actions::number.eq(number))
        .filter(actions::id.ne(except))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

#[derive(Debug, Default, Clone)]
pub struct ActionFilter {
    pub statuses: Vec<String>,
    /// Open and due before this date.
    pub overdue_on: Option<NaiveDate>,
    /// Folded-insensitive part of the responsible services.
    pub responsible: Option<String>,
    /// Raised or discussed at this meeting.
    pub meeting_id: Option<String>,
}

/// A committee's actions: numbered ones first, by number, then by creation.
pub fn list(
    conn: &mut DbConn,
    committee_id: &str,
    filter: &ActionFilter,
) -> QueryResult<Vec<ActionRow>> {
    let mut query = actions::table
        .filter(actions::committee_id.eq(committee_id.to_owned()))
        .select(ActionRow::as_select())
        .into_boxed();
    if !filter.statuses.is_empty() {
        query = query.filter(actions::status.eq_any(filter.statuses.clone()));
    }
    if let Some(day) = filter.overdue_on {
        query = query
            .filter(actions::status.eq_any(["planned", "in_progress"]))
            .filter(actions::due_date.lt(day));
    }
    if let Some(responsible) = &filter.responsible {
        query = query.filter(actions::responsible.like(format!("%{responsible}%")));
    }
    if let Some(meeting) = &filter.meeting_id {
        query = query.filter(
            actions::meeting_id
                .eq(meeting.clone())
                .or(actions::discussed_in.like(format!("%\"{meeting}\"%"))),
        );
    }
    let mut rows = query
        .order((actions::created_at.asc(), actions::id.asc()))
        .load(conn)?;
    rows.sort_by_key(|row| (row.number.is_none(), row.number));
    Ok(rows)
}
