//! Organizations: who members represent (an association, a public service,
//! an institution, an elected body). Deleting one that members refer to
//! archives it instead.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Actor, Event};
use crate::domain::text::fold;
use crate::domain::validate::{Check, nullable};
use crate::error::{AppError, AppResult};
use crate::store::organizations::{OrganizationFilter, OrganizationRow};
use crate::store::{self, Page, Scope};
use crate::text_enum;

text_enum! {
    pub enum OrganizationKind {
        Association = "association",
        PublicService = "public_service",
        Institution = "institution",
        ElectedBody = "elected_body",
        Other = "other",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organization {
    pub id: String,
    /// "UFC « Que Choisir » de la Haute-Marne".
    pub name: String,
    pub acronym: Option<String>,
    pub kind: OrganizationKind,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Set when deleted while members still refer to it.
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = AppError;

    fn try_from(row: OrganizationRow) -> AppResult<Self> {
        Ok(Self {
            kind: OrganizationKind::from_stored(&row.kind)?,
            id: row.id,
            name: row.name,
            acronym: row.acronym,
            email: row.email,
            phone: row.phone,
            archived_at: row.archived_at.map(|t| t.and_utc()),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    pub name: String,
    #[serde(default)]
    pub acronym: Option<String>,
    pub kind: OrganizationKind,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Absent fields stay as they are; `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub acronym: Option<Option<String>>,
    pub kind: Option<OrganizationKind>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// `false` restores an archived organization.
    pub archived: Option<bool>,
}

/// Checks the fields and recomputes the keys.
fn check_row(row: &mut OrganizationRow, check: &mut Check) {
    row.name = check.text("name", &row.name, 1, 200);
    row.acronym = check.optional_text("acronym", row.acronym.as_deref(), 30);
    row.email = check.optional_email("email", row.email.as_deref());
    row.phone = check.optional_phone("phone", row.phone.as_deref());
    row.name_key = fold(&row.name);
    row.search_key = fold(&format!(
        "{} {}",
        row.name,
        row.acronym.as_deref().unwrap_or_default()
    ));
}

fn ensure_name_free(conn: &mut DbConn, row: &OrganizationRow) -> AppResult<()> {
    match store::organizations::find_by_name(conn, &row.structure_id, &row.name_key)? {
        Some(other) if other.id != row.id => Err(AppError::Conflict(format!(
            "une organisation porte déjà ce nom : « {} »",
            other.name
        ))),
        _ => Ok(()),
    }
}

/// A new organization row of `structure_id`, checked (errors go to `check`).
pub fn new_row(
    structure_id: &str,
    input: NewOrganization,
    now: DateTime<Utc>,
    check: &mut Check,
) -> OrganizationRow {
    let mut row = OrganizationRow {
        id: store::new_id(),
        structure_id: structure_id.into(),
        name: input.name,
        acronym: input.acronym,
        kind: input.kind.as_str().into(),
        email: input.email,
        phone: input.phone,
        name_key: String::new(),
        search_key: String::new(),
        archived_at: None,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    check_row(&mut row, check);
    row
}

/// Inserts a checked row, with its audit event.
pub fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    row: OrganizationRow,
) -> AppResult<Organization> {
    ensure_name_free(conn, &row)?;
    store::organizations::insert(conn, &row)?;
    audit::record(
        conn,
        actor,
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: "organization.create",
            entity: "organization",
            entity_id: &row.id,
            summary: json!({ "name": row.name, "kind": row.kind }),
        },
    )?;
    row.try_into()
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    input: NewOrganization,
) -> AppResult<Organization> {
    let structure_id = crate::domain::own_structure(caller)?;
    let mut check = Check::new();
    let row = new_row(&structure_id, input, now, &mut check);
    check.finish()?;
    insert(conn, &caller.into(), now, row)
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    patch: OrganizationPatch,
    seen: Option<DateTime<Utc>>,
) -> AppResult<Organization> {
    let before = store::organizations::find(conn, &caller.scope(), id).found()?;
    // A form read before someone else's save must not overwrite it.
    crate::domain::unchanged_since(seen, before.updated_at)?;
    let mut row = before.clone();
    row.name = patch.name.unwrap_or(row.name);
    row.acronym = patch.acronym.unwrap_or(row.acronym);
    row.kind = patch.kind.map_or(row.kind, |k| k.as_str().into());
    row.email = patch.email.unwrap_or(row.email);
    row.phone = patch.phone.unwrap_or(row.phone);
    if let Some(archived) = patch.archived {
        row.archived_at = if archived {
            row.archived_at.or(Some(now.naive_utc()))
        } else {
            None
        };
    }
    let mut check = Check::new();
    check_row(&mut row, &mut check);
    check.finish()?;
    let changed: Vec<&str> = audit::changed([
        ("name", before.name != row.name),
        ("acronym", before.acronym != row.acronym),
        ("kind", before.kind != row.kind),
        ("email", before.email != row.email),
        ("phone", before.phone != row.phone),
        (
            "archived",
            before.archived_at.is_some() != row.archived_at.is_some(),
        ),
    ]);
    if changed.is_empty() {
        return before.try_into();
    }
    ensure_name_free(conn, &row)?;
    row.updated_at = now.naive_utc();
    store::organizations::update(conn, &row)?;
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: "organization.update",
            entity: "organization",
            entity_id: &row.id,
            summary: json!({ "changed": changed }),
        },
    )?;
    row.try_into()
}

/// What a delete did.
pub enum Removal<T> {
    Deleted,
    /// History refers to the record: it is archived instead.
    Archived(T),
}

pub fn delete(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
) -> AppResult<Removal<Organization>> {
    let mut row = store::organizations::find(conn, &caller.scope(), id).found()?;
    let outcome = if store::organizations::has_members(conn, id)? {
        row.archived_at = row.archived_at.or(Some(now.naive_utc()));
        row.updated_at = now.naive_utc();
        store::organizations::update(conn, &row)?;
        "archive"
    } else {
        store::organizations::delete(conn, id)?;
        "delete"
    };
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: &format!("organization.{outcome}"),
            entity: "organization",
            entity_id: &row.id,
            summary: json!({ "name": row.name }),
        },
    )?;
    Ok(if outcome == "archive" {
        Removal::Archived(row.try_into()?)
    } else {
        Removal::Deleted
    })
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<Organization> {
    store::organizations::find(conn, scope, id)
        .found()?
        .try_into()
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &OrganizationFilter,
    page: Page,
) -> AppResult<(Vec<Organization>, i64)> {
    let (rows, total) = store::organizations::list(conn, scope, filter, page)?;
    Ok((
        rows.into_iter()
            .map(Organization::try_from)
            .collect::<AppResult<_>>()?,
        total,
    ))
}
