//! An action's history: every change, field by field, who and when — read
//! back from the audit events, not kept a second time — and the changes
//! that each event records.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::domain::Found;
use crate::error::AppResult;
use crate::store::actions::ActionRow;
use crate::store::{self, Scope};

/// One field's change in the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    /// The value before, of the field's own type (null when it was empty,
    /// or on creation).
    pub from: Value,
    /// The value after, of the field's own type.
    pub to: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor_email: Option<String>,
    /// The account's name as it is now ("Mylène Bégué"); null for a removed account.
    pub actor_name: Option<String>,
    /// create or update.
    pub action: String,
    pub changes: Vec<FieldChange>,
}

/// Every change of the action, oldest first, from its audit events.
pub fn history(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<Vec<HistoryEntry>> {
    store::actions::find(conn, scope, id).found()?;
    let events = store::audit::for_entities(conn, &[id.to_owned()])?;
    let mut names = std::collections::HashMap::new();
    for actor in events.iter().filter_map(|e| e.actor_id.as_deref()) {
        if !names.contains_key(actor) {
            let name = store::users::find_any(conn, actor)?.map(|user| user.display_name);
            names.insert(actor.to_owned(), name);
        }
    }
    Ok(events
        .into_iter()
        .filter(|e| e.entity == "action")
        .map(|event| {
            let summary: Value = serde_json::from_str(&event.summary).unwrap_or(Value::Null);
            let changes = summary["changes"]
                .as_object()
                .map(|map| {
                    map.iter()
                        .map(|(field, change)| FieldChange {
                            field: field.clone(),
                            from: change["from"].clone(),
                            to: change["to"].clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            HistoryEntry {
                at: event.created_at.and_utc(),
                actor_name: event
                    .actor_id
                    .as_deref()
                    .and_then(|actor| names.get(actor).cloned().flatten()),
                actor_email: event.actor_email,
                action: event.action.trim_start_matches("action.").to_owned(),
                changes,
            }
        })
        .collect())
}

/// The fields an action's JSON has, as compared for the history.
fn fields((row, discussed): (&ActionRow, &[String])) -> Map<String, Value> {
    let value = json!({
        "number": row.number,
        "finding": row.finding,
        "reference": row.reference,
        "sources": serde_json::from_str::<Value>(&row.sources).unwrap_or(Value::Null),
        "status": row.status,
        "due_date": row.due_date,
        "completed_on": row.completed_on,
        "cancel_reason": row.cancel_reason,
        "description": row.description,
        "responsible": row.responsible,
        "effective": row.effective,
        "verification": row.verification,
        "meeting_id": row.meeting_id,
        "discussed_in": discussed,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `{field: {from, to}}` for every field that differs.
pub(super) fn changes(
    before: Option<(&ActionRow, &[String])>,
    after: (&ActionRow, &[String]),
) -> Map<String, Value> {
    let old = before.map(fields).unwrap_or_default();
    fields(after)
        .into_iter()
        .filter(|(field, value)| old.get(field).unwrap_or(&Value::Null) != value)
        .map(|(field, value)| {
            let from = old.get(&field).cloned().unwrap_or(Value::Null);
            (field, json!({ "from": from, "to": value }))
        })
        .collect()
}
