//! The audit trail: every mutation records who did what to which record, in
//! the transaction of the change. Summaries name fields, never secrets.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::store::audit::{AuditFilter, AuditRow};
use crate::store::{self, Page, Scope};

/// Who made a change: a staff user, or the system (CLI, background work).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    pub email: Option<String>,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            id: None,
            email: None,
        }
    }
}

impl From<&Caller> for Actor {
    fn from(caller: &Caller) -> Self {
        Self {
            id: Some(caller.user_id.clone()),
            email: Some(caller.email.clone()),
        }
    }
}

/// One change to record.
pub struct Event<'a> {
    pub structure_id: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub summary: Value,
}

/// The names of the fields whose flag is set: what a change touched.
pub fn changed<const N: usize>(fields: [(&'static str, bool); N]) -> Vec<&'static str> {
    fields
        .into_iter()
        .filter_map(|(field, changed)| changed.then_some(field))
        .collect()
}

pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    at: DateTime<Utc>,
    event: Event<'_>,
) -> AppResult<()> {
    store::audit::insert(
        conn,
        &AuditRow {
            id: store::new_id(),
            structure_id: event.structure_id.map(Into::into),
            actor_id: actor.id.clone(),
            actor_email: actor.email.clone(),
            action: event.action.into(),
            entity: event.entity.into(),
            entity_id: event.entity_id.into(),
            summary: event.summary.to_string(),
            created_at: at.naive_utc(),
        },
    )?;
    // Every change of a structure's data is audited: its revision moves
    // with it, for the conditional reads.
    if let Some(structure_id) = event.structure_id {
        store::structures::advance_revision(conn, structure_id)?;
    }
    Ok(())
}

/// The structure's revision: it moves with every audited change of its
/// data (0 for a structure that is not there).
pub fn revision(conn: &mut DbConn, structure_id: &str) -> AppResult<i64> {
    Ok(store::structures::revision(conn, structure_id)?.unwrap_or(0))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    pub structure_id: Option<String>,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    /// `<entity>.<verb>`, e.g. `user.create`.
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[schema(value_type = Object)]
    pub summary: Value,
    pub created_at: DateTime<Utc>,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        Self {
            summary: serde_json::from_str(&row.summary).unwrap_or(Value::Null),
            id: row.id,
            structure_id: row.structure_id,
            actor_id: row.actor_id,
            actor_email: row.actor_email,
            action: row.action,
            entity: row.entity,
            entity_id: row.entity_id,
            created_at: row.created_at.and_utc(),
        }
    }
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &AuditFilter,
    page: Page,
) -> AppResult<(Vec<AuditEvent>, i64)> {
    let (rows, total) = store::audit::list(conn, scope, filter, page)?;
    Ok((rows.into_iter().map(Into::into).collect(), total))
}
