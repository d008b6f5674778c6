//! The `actions` table: the action plan of a committee.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Scope;
use crate::db::DbConn;
use std::collections::HashMap;

use crate::db::schema::{action_meetings, actions};

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
    /// `responsible`, folded (`domain::text::fold`): what `?responsible=` matches.
    pub responsible_key: Option<String>,
    pub effective: Option<bool>,
    pub verification: Option<String>,
    pub meeting_id: Option<String>,
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

pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Option<ActionRow>> {
    let mut query = actions::table
        .filter(actions::id.eq(id.to_owned()))
        .select(ActionRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(actions::structure_id.eq(own.clone()));
    }
    query.first(conn).optional()
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
    /// Folded words, each part of the folded responsible services.
    pub responsible_terms: Vec<String>,
    /// Raised or discussed at this meeting.
    pub meeting_id: Option<String>,
}

/// Open actions past their due date in every committee in scope, the
/// longest overdue first, with their committee's name; and how many in all.
pub fn overdue_in_scope(
    conn: &mut DbConn,
    scope: &Scope,
    today: NaiveDate,
    limit: i64,
) -> QueryResult<(Vec<(ActionRow, String)>, i64)> {
    use crate::db::schema::committees;
    let filtered = || {
        let mut query = actions::table
            .inner_join(committees::table.on(committees::id.eq(actions::committee_id)))
            .filter(actions::status.eq_any(["planned", "in_progress"]))
            .filter(actions::due_date.lt(today))
            .into_boxed();
        if let Scope::Structure(own) = scope {
            query = query.filter(actions::structure_id.eq(own.clone()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((actions::due_date.asc(), actions::id.asc()))
        .limit(limit)
        .select((ActionRow::as_select(), committees::name))
        .load(conn)?;
    Ok((items, total))
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
    // Folded terms hold no LIKE wildcard: `fold` keeps letters and digits.
    for term in &filter.responsible_terms {
        query = query.filter(actions::responsible_key.like(format!("%{term}%")));
    }
    if let Some(meeting) = &filter.meeting_id {
        query = query.filter(
            actions::meeting_id
                .eq(meeting.clone())
                .nullable()
                .or(actions::id
                    .eq_any(
                        action_meetings::table
                            .filter(action_meetings::meeting_id.eq(meeting.clone()))
                            .select(action_meetings::action_id),
                    )
                    .nullable()),
        );
    }
    let mut rows = query
        .order((actions::created_at.asc(), actions::id.asc()))
        .load(conn)?;
    rows.sort_by_key(|row| (row.number.is_none(), row.number));
    Ok(rows)
}

/// The meetings that discussed an action, in the order given.
pub fn meetings_of(conn: &mut DbConn, action_id: &str) -> QueryResult<Vec<String>> {
    action_meetings::table
        .filter(action_meetings::action_id.eq(action_id))
        .order(action_meetings::position.asc())
        .select(action_meetings::meeting_id)
        .load(conn)
}

/// `meetings_of` for several actions in one query.
pub fn meetings_of_many(
    conn: &mut DbConn,
    action_ids: &[String],
) -> QueryResult<HashMap<String, Vec<String>>> {
    let mut by_action: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in action_ids.chunks(500) {
        let pairs: Vec<(String, String)> = action_meetings::table
            .filter(action_meetings::action_id.eq_any(chunk))
            .order((action_meetings::action_id, action_meetings::position.asc()))
            .select((action_meetings::action_id, action_meetings::meeting_id))
            .load(conn)?;
        for (action, meeting) in pairs {
            by_action.entry(action).or_default().push(meeting);
        }
    }
    Ok(by_action)
}

/// Replaces the meetings that discussed an action.
pub fn set_meetings(conn: &mut DbConn, action_id: &str, meeting_ids: &[String]) -> QueryResult<()> {
    diesel::delete(action_meetings::table.filter(action_meetings::action_id.eq(action_id)))
        .execute(conn)?;
    for (position, meeting_id) in meeting_ids.iter().enumerate() {
        diesel::insert_into(action_meetings::table)
            .values((
                action_meetings::action_id.eq(action_id),
                action_meetings::meeting_id.eq(meeting_id),
                action_meetings::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Actions whose responsible services have no folded key yet (written
/// before the key existed), with those services.
pub fn missing_responsible_keys(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    actions::table
        .filter(actions::responsible.is_not_null())
        .filter(actions::responsible_key.is_null())
        .select((actions::id, actions::responsible.assume_not_null()))
        .load(conn)
}

pub fn set_responsible_key(conn: &mut DbConn, action_id: &str, key: &str) -> QueryResult<()> {
    diesel::update(actions::table.find(action_id))
        .set(actions::responsible_key.eq(key))
        .execute(conn)
        .map(drop)
}
