//! The action plan (plan d'actions): findings followed from meeting to
//! meeting, planned → in progress → done, or cancelled from an open status
//! with a reason. Every change is audited field by field; the history is
//! read back from those events.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use super::history::changes;
pub use super::model::{Action, ActionPatch, NewAction};
pub use super::status::{ActionStatus, Source, SourceInput, SourceKind, sources_of};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::domain::text;
use crate::domain::validate::Check;
use crate::error::{AppError, AppResult};
use crate::store::actions::{ActionFilter, ActionRow};
use crate::store::{self, Scope};

fn check_row(
    conn: &mut DbConn,
    row: &mut ActionRow,
    sources: &[Source],
    discussed: &[String],
) -> AppResult<()> {
    let mut check = Check::new();
    row.finding = check.text("finding", &row.finding, 1, 1000);
    row.reference = check.optional_text("reference", row.reference.as_deref(), 50);
    row.description = check.optional_text("description", row.description.as_deref(), 4000);
    row.responsible = check.optional_text("responsible", row.responsible.as_deref(), 200);
    row.responsible_key = row.responsible.as_deref().map(text::fold);
    row.verification = check.optional_text("verification", row.verification.as_deref(), 4000);
    row.cancel_reason = check.optional_text("cancel_reason", row.cancel_reason.as_deref(), 1000);
    if row.number.is_some_and(|n| n < 1) {
        check.add("number", "un numéro positif");
    }
    let mut kinds: Vec<&str> = sources.iter().map(|s| s.kind.as_str()).collect();
    kinds.sort_unstable();
    if kinds.windows(2).any(|pair| pair[0] == pair[1]) {
        check.add("sources", "chaque source au plus une fois");
    }
    let mut listed: Vec<&str> = discussed.iter().map(String::as_str).collect();
    listed.sort_unstable();
    if listed.windows(2).any(|pair| pair[0] == pair[1]) {
        check.add("discussed_in", "chaque réunion au plus une fois");
    }
    let scope = Scope::Structure(row.structure_id.clone());
    let meetings = row
        .meeting_id
        .iter()
        .map(|m| ("meeting_id".to_owned(), m.clone()));
    let others = discussed
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("discussed_in[{i}]"), m.clone()));
    for (field, meeting) in meetings.chain(others).collect::<Vec<_>>() {
        match store::meetings::find(conn, &scope, &meeting)? {
            Some(found) if found.committee_id == row.committee_id => {}
            _ => check.add(&field, "réunion inconnue pour ce comité"),
        }
    }
    check.finish()?;
    row.sources = serde_json::to_string(sources).map_err(AppError::internal)?;
    if let Some(number) = row.number
        && store::actions::number_taken(conn, &row.committee_id, number, &row.id)?
    {
        return Err(AppError::Conflict(format!(
            "le numéro {number} est déjà pris dans ce comité"
        )));
    }
    Ok(())
}

fn record(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    row: &ActionRow,
    verb: &str,
    changes: Map<String, Value>,
) -> AppResult<()> {
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: &format!("action.{verb}"),
            entity: "action",
            entity_id: &row.id,
            summary: json!({ "changes": changes }),
        },
    )
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    committee_id: &str,
    input: NewAction,
) -> AppResult<Action> {
    let committee = store::committees::find(conn, &caller.scope(), committee_id).found()?;
    let today = crate::clock::paris_date(now);
    let status = input.status.unwrap_or(ActionStatus::Planned);
    if status == ActionStatus::Cancelled {
        return Err(AppError::validation(
            "status",
            "une action se crée prévue, en cours ou réalisée",
        ));
    }
    let mut row = ActionRow {
        id: store::new_id(),
        structure_id: committee.structure_id,
        committee_id: committee.id,
        number: input.number,
        finding: input.finding,
        reference: input.reference,
        sources: String::new(),
        status: status.as_str().into(),
        due_date: input.due_date,
        completed_on: (status == ActionStatus::Done).then(|| input.completed_on.unwrap_or(today)),
        cancel_reason: None,
        description: input.description,
        responsible: input.responsible,
        responsible_key: None,
        effective: input.effective,
        verification: input.verification,
        meeting_id: input.meeting_id,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    let discussed = input.discussed_in;
    check_row(conn, &mut row, &sources_of(input.sources), &discussed)?;
    store::actions::insert(conn, &row)?;
    store::actions::set_meetings(conn, &row.id, &discussed)?;
    record(
        conn,
        caller,
        now,
        &row,
        "create",
        changes(None, (&row, &discussed)),
    )?;
    Action::from_row(row, discussed, today)
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    patch: ActionPatch,
) -> AppResult<Action> {
    let before = store::actions::find(conn, &caller.scope(), id).found()?;
    let today = crate::clock::paris_date(now);
    let current = ActionStatus::from_stored(&before.status)?;
    let mut row = before.clone();
    if let Some(next) = patch.status.filter(|next| *next != current) {
        if !current.can_become(next) {
            return Err(AppError::Conflict(format!(
                "l'action est au statut « {} » : elle ne peut pas passer au statut « {} »",
                current.as_str(),
                next.as_str()
            )));
        }
        match next {
            ActionStatus::Done => row.completed_on = Some(patch.completed_on.unwrap_or(today)),
            ActionStatus::Cancelled => {
                if patch
                    .cancel_reason
                    .as_deref()
                    .is_none_or(|r| r.trim().is_empty())
                {
                    return Err(AppError::validation(
                        "cancel_reason",
                        "indiquez pourquoi l'action est annulée",
                    ));
                }
                row.cancel_reason = patch.cancel_reason.clone();
            }
            _ => {}
        }
        row.status = next.as_str().into();
    } else if patch.completed_on.is_some() && current == ActionStatus::Done {
        row.completed_on = patch.completed_on;
    }
    row.number = patch.number.unwrap_or(row.number);
    row.finding = patch.finding.unwrap_or(row.finding);
    row.reference = patch.reference.unwrap_or(row.reference);
    row.due_date = patch.due_date.unwrap_or(row.due_date);
    row.description = patch.description.unwrap_or(row.description);
    row.responsible = patch.responsible.unwrap_or(row.responsible);
    row.effective = patch.effective.unwrap_or(row.effective);
    row.verification = patch.verification.unwrap_or(row.verification);
    row.meeting_id = patch.meeting_id.unwrap_or(row.meeting_id);
    let sources = match patch.sources {
        Some(sources) => sources_of(sources),
        None => serde_json::from_str(&before.sources).map_err(AppError::internal)?,
    };
    let discussed_before = store::actions::meetings_of(conn, &before.id)?;
    let discussed = patch
        .discussed_in
        .unwrap_or_else(|| discussed_before.clone());
    check_row(conn, &mut row, &sources, &discussed)?;
    let changed = changes(Some((&before, &discussed_before)), (&row, &discussed));
    if !changed.is_empty() {
        row.updated_at = now.naive_utc();
        store::actions::update(conn, &row)?;
        if discussed != discussed_before {
            store::actions::set_meetings(conn, &row.id, &discussed)?;
        }
        record(conn, caller, now, &row, "update", changed)?;
    }
    Action::from_row(row, discussed, today)
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str, today: NaiveDate) -> AppResult<Action> {
    let row = store::actions::find(conn, scope, id).found()?;
    let discussed = store::actions::meetings_of(conn, &row.id)?;
    Action::from_row(row, discussed, today)
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    committee_id: &str,
    filter: &ActionFilter,
    today: NaiveDate,
) -> AppResult<Vec<Action>> {
    store::committees::find(conn, scope, committee_id).found()?;
    let rows = store::actions::list(conn, committee_id, filter)?;
    let ids: Vec<String> = rows.iter().map(|row| row.id.clone()).collect();
    let mut discussed = store::actions::meetings_of_many(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let meetings = discussed.remove(&row.id).unwrap_or_default();
            Action::from_row(row, meetings, today)
        })
        .collect()
}

/// The open actions past their due date across the caller's committees,
/// longest overdue first (at most `limit`, with the committee's name), and
/// how many there are in all.
pub fn overdue(
    conn: &mut DbConn,
    scope: &Scope,
    today: NaiveDate,
    limit: i64,
) -> AppResult<(Vec<(Action, String)>, i64)> {
    let (rows, total) = store::actions::overdue_in_scope(conn, scope, today, limit)?;
    let ids: Vec<String> = rows.iter().map(|(row, _)| row.id.clone()).collect();
    let mut discussed = store::actions::meetings_of_many(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|(row, committee)| {
            let meetings = discussed.remove(&row.id).unwrap_or_default();
            Ok((Action::from_row(row, meetings, today)?, committee))
        })
        .collect::<AppResult<_>>()?;
    Ok((items, total))
}

/// The filter's words for `?responsible=`: folded as the stored key is,
/// so that case, accents and punctuation never matter, on either database.
pub fn responsible_terms(query: Option<&str>) -> Vec<String> {
    query.map(text::search_terms).unwrap_or_default()
}

/// Fills the folded key of actions written before it existed; returns how
/// many. Run after the migrations; doing it again changes nothing.
pub fn fill_responsible_keys(conn: &mut DbConn) -> AppResult<usize> {
    let missing = store::actions::missing_responsible_keys(conn)?;
    for (id, responsible) in &missing {
        store::actions::set_responsible_key(conn, id, &text::fold(responsible))?;
    }
    Ok(missing.len())
}
