//! Members: the people who sit on committees, and the organization each one
//! represents. Deleting a member that history refers to archives them;
//! audit summaries name fields, never a person's data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::organizations::Removal;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Actor, Event};
use crate::domain::text::fold;
use crate::domain::validate::{Check, nullable};
use crate::error::{AppError, AppResult};
use crate::store::members::{MemberFilter, MemberRow, OrganizationName};
use crate::store::{self, Page, Scope};
use crate::text_enum;

text_enum! {
    pub enum Civility {
        Monsieur = "M.",
        Madame = "Mme",
    }
}

/// The organization a member represents, as shown beside them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    pub id: String,
    /// Null once anonymised.
    pub civility: Option<Civility>,
    pub first_name: String,
    pub last_name: String,
    /// "Président", "Cheffe du bureau des migrations et de l'intégration (BMI)".
    pub function: Option<String>,
    pub organization_id: Option<String>,
    pub organization: Option<OrganizationRef>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub anonymized_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Member {
    pub fn from_row(row: MemberRow, organization: OrganizationName) -> AppResult<Self> {
        Ok(Self {
            civility: row
                .civility
                .as_deref()
                .map(Civility::from_stored)
                .transpose()?,
            organization: row
                .organization_id
                .clone()
                .zip(organization)
                .map(|(id, (name, acronym))| OrganizationRef { id, name, acronym }),
            id: row.id,
            first_name: row.first_name,
            last_name: row.last_name,
            function: row.function,
            organization_id: row.organization_id,
            email: row.email,
            phone: row.phone,
            archived_at: row.archived_at.map(|t| t.and_utc()),
            anonymized_at: row.anonymized_at.map(|t| t.and_utc()),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub civility: Civility,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub function: Option<String>,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Absent fields stay as they are; `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub civility: Option<Civility>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub function: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub organization_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// `false` restores an archived member.
    pub archived: Option<bool>,
}

/// Checks the member's own fields and recomputes the search key.
pub fn check_fields(row: &mut MemberRow, check: &mut Check) {
    row.first_name = check.text("first_name", &row.first_name, 1, 100);
    row.last_name = check.text("last_name", &row.last_name, 1, 100);
    row.function = check.optional_text("function", row.function.as_deref(), 200);
    row.email = check.optional_email("email", row.email.as_deref());
    row.phone = check.optional_phone("phone", row.phone.as_deref());
    row.search_key = fold(&format!("{} {}", row.first_name, row.last_name));
}

/// Checks every field of `row`; the organization must be a current one of
/// the member's structure.
pub fn check_row(conn: &mut DbConn, row: &mut MemberRow, check: &mut Check) -> AppResult<()> {
    check_fields(row, check);
    if let Some(organization_id) = &row.organization_id {
        let scope = Scope::Structure(row.structure_id.clone());
        match store::organizations::find(conn, &scope, organization_id)? {
            Some(org) if org.archived_at.is_none() => {}
            Some(_) => check.add("organization_id", "cette organisation est archivée"),
            None => check.add("organization_id", "organisation inconnue"),
        }
    }
    Ok(())
}

pub fn new_row(structure_id: &str, input: NewMember, now: DateTime<Utc>) -> MemberRow {
    MemberRow {
        id: store::new_id(),
        structure_id: structure_id.into(),
        civility: Some(input.civility.as_str().into()),
        first_name: input.first_name,
        last_name: input.last_name,
        function: input.function,
        organization_id: input.organization_id,
        email: input.email,
        phone: input.phone,
        search_key: String::new(),
        archived_at: None,
        anonymized_at: None,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    }
}

fn record(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    row: &MemberRow,
    verb: &str,
    changed: &[&str],
) -> AppResult<()> {
    audit::record(
        conn,
        actor,
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: &format!("member.{verb}"),
            entity: "member",
            entity_id: &row.id,
            summary: json!({ "changed": changed }),
        },
    )
}

/// Inserts a checked row, with its audit event.
pub fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    row: &MemberRow,
) -> AppResult<()> {
    store::members::insert(conn, row)?;
    let fields = filled_fields(row);
    record(conn, actor, now, row, "create", &fields)
}

fn filled_fields(row: &MemberRow) -> Vec<&'static str> {
    audit::changed([
        ("civility", row.civility.is_some()),
        ("first_name", true),
        ("last_name", true),
        ("function", row.function.is_some()),
        ("organization_id", row.organization_id.is_some()),
        ("email", row.email.is_some()),
        ("phone", row.phone.is_some()),
    ])
}

/// The fields that differ between two versions of a member.
pub fn changed_fields(before: &MemberRow, after: &MemberRow) -> Vec<&'static str> {
    audit::changed([
        ("civility", before.civility != after.civility),
        ("first_name", before.first_name != after.first_name),
        ("last_name", before.last_name != after.last_name),
        ("function", before.function != after.function),
        (
            "organization_id",
            before.organization_id != after.organization_id,
        ),
        ("email", before.email != after.email),
        ("phone", before.phone != after.phone),
        (
            "archived",
            before.archived_at.is_some() != after.archived_at.is_some(),
        ),
    ])
}

/// Writes a changed member with its audit event; returns the fields changed.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    now: DateTime<Utc>,
    before: &MemberRow,
    row: &mut MemberRow,
) -> AppResult<Vec<&'static str>> {
    let changed = changed_fields(before, row);
    if !changed.is_empty() {
        row.updated_at = now.naive_utc();
        store::members::update(conn, row)?;
        record(conn, actor, now, row, "update", &changed)?;
    }
    Ok(changed)
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    input: NewMember,
) -> AppResult<Member> {
    let structure_id = crate::domain::own_structure(caller)?;
    let mut row = new_row(&structure_id, input, now);
    let mut check = Check::new();
    check_row(conn, &mut row, &mut check)?;
    check.finish()?;
    insert(conn, &caller.into(), now, &row)?;
    get(conn, &caller.scope(), &row.id)
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    patch: MemberPatch,
    seen: Option<DateTime<Utc>>,
) -> AppResult<Member> {
    let (before, _) = store::members::find(conn, &caller.scope(), id).found()?;
    // A form read before someone else's save must not overwrite it.
    crate::domain::unchanged_since(seen, before.updated_at)?;
    if before.anonymized_at.is_some() {
        return Err(AppError::Conflict(
            "ce membre a été anonymisé ; il ne peut plus être modifié".into(),
        ));
    }
    let mut row = before.clone();
    if let Some(civility) = patch.civility {
        row.civility = Some(civility.as_str().into());
    }
    row.first_name = patch.first_name.unwrap_or(row.first_name);
    row.last_name = patch.last_name.unwrap_or(row.last_name);
    row.function = patch.function.unwrap_or(row.function);
    row.organization_id = patch.organization_id.unwrap_or(row.organization_id);
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
    // An unchanged organization that has since been archived stays linked.
    if row.organization_id == before.organization_id {
        let organization_id = row.organization_id.take();
        check_row(conn, &mut row, &mut check)?;
        row.organization_id = organization_id;
    } else {
        check_row(conn, &mut row, &mut check)?;
    }
    check.finish()?;
    save(conn, &caller.into(), now, &before, &mut row)?;
    get(conn, &caller.scope(), id)
}

pub fn delete(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
) -> AppResult<Removal<Member>> {
    let (mut row, _) = store::members::find(conn, &caller.scope(), id).found()?;
    if store::members::has_history(conn, id)? {
        row.archived_at = row.archived_at.or(Some(now.naive_utc()));
        row.updated_at = now.naive_utc();
        store::members::update(conn, &row)?;
        record(conn, &caller.into(), now, &row, "archive", &[])?;
        Ok(Removal::Archived(get(conn, &caller.scope(), id)?))
    } else {
        store::members::delete(conn, id)?;
        record(conn, &caller.into(), now, &row, "delete", &[])?;
        Ok(Removal::Deleted)
    }
}

pub fn get(conn: &mut DbConn, scope: &Scope, id: &str) -> AppResult<Member> {
    let (row, organization) = store::members::find(conn, scope, id).found()?;
    Member::from_row(row, organization)
}

pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &MemberFilter,
    page: Option<Page>,
) -> AppResult<(Vec<Member>, i64)> {
    let (rows, total) = store::members::list(conn, scope, filter, page)?;
    let items = rows
        .into_iter()
        .map(|(row, organization)| Member::from_row(row, organization))
        .collect::<AppResult<_>>()?;
    Ok((items, total))
}
