//! The `indicators` and `indicator_values` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Scope;
use crate::db::DbConn;
use crate::db::schema::{indicator_values, indicators};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicators, treat_none_as_null = true)]
pub struct IndicatorRow {
    pub id: String,
    pub structure_id: String,
    pub committee_id: String,
    pub name: String,
    pub unit: String,
    pub direction: String,
    pub target: Option<f64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicator_values)]
pub struct ValueRow {
    pub id: String,
    pub indicator_id: String,
    pub period: String,
    pub value: f64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &IndicatorRow) -> QueryResult<()> {
    diesel::insert_into(indicators::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, scope: &Scope, id: &str) -> QueryResult<Option<IndicatorRow>> {
    let mut query = indicators::table
        .filter(indicators::id.eq(id.to_owned()))
        .select(IndicatorRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(indicators::structure_id.eq(own.clone()));
    }
    query.first(conn).optional()
}

pub fn of_committee(conn: &mut DbConn, committee_id: &str) -> QueryResult<Vec<IndicatorRow>> {
    indicators::table
        .filter(indicators::committee_id.eq(committee_id))
        .order((indicators::created_at.asc(), indicators::id.asc()))
        .select(IndicatorRow::as_select())
        .load(conn)
}

/// Every value of these indicators, by period.
pub fn values_of(conn: &mut DbConn, indicator_ids: &[String]) -> QueryResult<Vec<ValueRow>> {
    indicator_values::table
        .filter(indicator_values::indicator_id.eq_any(indicator_ids))
        .order((
            indicator_values::indicator_id.asc(),
            indicator_values::period.asc(),
        ))
        .select(ValueRow::as_select())
        .load(conn)
}

pub fn find_value(
    conn: &mut DbConn,
    indicator_id: &str,
    period: &str,
) -> QueryResult<Option<ValueRow>> {
    indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .filter(indicator_values::period.eq(period))
        .select(ValueRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_value(conn: &mut DbConn, row: &ValueRow) -> QueryResult<()> {
    diesel::insert_into(indicator_values::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update_value(conn: &mut DbConn, row: &ValueRow) -> QueryResult<()> {
    diesel::update(indicator_values::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}
