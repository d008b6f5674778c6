//! The `audit_events` table: written, never changed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Page, Scope};
use crate::db::DbConn;
use crate::db::schema::audit_events;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: String,
    pub structure_id: Option<String>,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON object: what changed, never a secret.
    pub summary: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &AuditRow) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Who made the changes.
    pub actor_id: Option<String>,
    pub since: Option<NaiveDateTime>,
    /// Before this instant (excluded).
    pub until: Option<NaiveDateTime>,
}

/// Newest first.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &AuditFilter,
    page: Page,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let filtered = || {
        let mut query = audit_events::table.into_boxed();
        if let Scope::Structure(own) = scope {
            query = query.filter(audit_events::structure_id.eq(own.clone()));
        }
        if let Some(entity) = &filter.entity {
            query = query.filter(audit_events::entity.eq(entity.clone()));
        }
        if let Some(entity_id) = &filter.entity_id {
            query = query.filter(audit_events::entity_id.eq(entity_id.clone()));
        }
        if let Some(actor_id) = &filter.actor_id {
            query = query.filter(audit_events::actor_id.eq(actor_id.clone()));
        }
        if let Some(since) = filter.since {
            query = query.filter(audit_events::created_at.ge(since));
        }
        if let Some(until) = filter.until {
            query = query.filter(audit_events::created_at.lt(until));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((audit_events::created_at.desc(), audit_events::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Every event about these records, oldest first.
pub fn for_entities(conn: &mut DbConn, entity_ids: &[String]) -> QueryResult<Vec<AuditRow>> {
    audit_events::table
        .filter(audit_events::entity_id.eq_any(entity_ids))
        .order((audit_events::created_at.asc(), audit_events::id.asc()))
        .select(AuditRow::as_select())
        .load(conn)
}
