//! Committees: a CLU, its CLAC (Services Publics +), a COPIL.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::domain::validate::{Check, nullable};
use crate::error::{AppError, AppResult};
use crate::store::committees::CommitteeRow;
use crate::store::{self, Page, Scope};
use crate::text_enum;

text_enum! {
    pub enum CommitteeKind {
        /// Comité local des usagers.
        Clu = "clu",
        /// Comité local d'amélioration continue (Services Publics +).
        Clac = "clac",
        /// Comité de pilotage.
        Copil = "copil",
        Other = "other",
    }
}

impl CommitteeKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Clu => "Comité local des usagers",
            Self::Clac => "Comité local d’amélioration continue",
            Self::Copil => "Comité de pilotage",
            Self::Other => "Autre instance",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Committee {
    pub id: String,
    pub name: String,
    pub kind: CommitteeKind,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<CommitteeRow> for Committee {
    type Error = AppError;

    fn try_from(row: CommitteeRow) -> AppResult<Self> {
        Ok(Self {
            kind: CommitteeKind::from_stored(&row.kind)?,
            id: row.id,
            name: row.name,
            description: row.description,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommittee {
    pub name: String,
    pub kind: CommitteeKind,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitteePatch {
    pub name: Option<String>,
    pub kind: Option<CommitteeKind>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

fn check_committee(row: &mut CommitteeRow) -> AppResult<()> {
    let mut check = Check::new();
    row.name = check.text("name", &row.name, 1, 200);
    row.description = check.optional_text("description", row.description.as_deref(), 2000);
    check.finish()
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    input: NewCommittee,
) -> AppResult<Committee> {
    let mut row = CommitteeRow {
        id: store::new_id(),
        structure_id: crate::domain::own_structure(caller)?,
        name: input.name,
        kind: input.kind.as_str().into(),
        description: input.description,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    check_committee(&mut row)?;
    store::committees::insert(conn, &row)?;
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: "committee.create",
            entity: "committee",
            entity_id: &row.id,
            summary: json!({ "name": row.name, "kind": row.kind }),
        },
    )?;
    row.try_into()
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    patch: CommitteePatch,
    seen: Option<DateTime<Utc>>,
) -> AppResult<Committee> {
    let before = store::committees::find(conn, &caller.scope(), id).found()?;
    crate::domain::unchanged_since(seen, before.updated_at)?;
    let mut row = before.clone();
    row.name = patch.name.unwrap_or(row.name);
    row.kind = patch.kind.map_or(row.kind, |k| k.as_str().into());
    row.description = patch.description.unwrap_or(row.description);
    check_committee(&mut row)?;
    let changed: Vec<&str> = audit::changed([
        ("name", before.name != row.name),
        ("kind", before.kind != row.kind),
        ("description", before.description != row.description),
    ]);
    if changed.is_empty() {
        return before.try_into();
    }
    row.updated_at = now.naive_utc();
    store::committees::update(conn, &row)?;
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: "committee.update",
            entity: "committee",
            entity_id: &row.id,
            summary: json!({ "changed": changed }),
        },
    )?;
    row.try_into()
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<Committee> {
    store::committees::find(conn, scope, id).found()?.try_into()
}

pub fn list(conn: &mut DbConn, scope: &Scope, page: Page) -> AppResult<(Vec<Committee>, i64)> {
    let (rows, total) = store::committees::list(conn, scope, page)?;
    Ok((
        rows.into_iter()
            .map(Committee::try_from)
            .collect::<AppResult<_>>()?,
        total,
    ))
}
