//! Memberships: who sits on which committee, in what role, since and until
//! when, and for whom a substitute (suppléant) stands in.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::members::{Civility, OrganizationRef};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, Event};
use crate::domain::validate::{Check, nullable};
use crate::error::{AppError, AppResult};
use crate::store::committees::MembershipRow;
use crate::store::{self, Scope};
use crate::text_enum;

text_enum! {
    pub enum MembershipRole {
        /// Présidence.
        Chair = "chair",
        /// Référent qualité, secrétariat.
        Secretary = "secretary",
        Member = "member",
        Guest = "guest",
    }
}

impl MembershipRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::Chair => "Présidence",
            Self::Secretary => "Secrétariat",
            Self::Member => "Membre",
            Self::Guest => "Invité",
        }
    }
}

/// The member of a membership, as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberSummary {
    pub civility: Option<Civility>,
    pub first_name: String,
    pub last_name: String,
    pub function: Option<String>,
    pub organization: Option<OrganizationRef>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Membership {
    pub id: String,
    pub committee_id: String,
    pub member_id: String,
    pub role: MembershipRole,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// The membership this one stands in for: this member is the substitute
    /// (suppléant) of that one's member.
    pub substitute_for: Option<String>,
    /// The membership standing in for this one, if any.
    pub substitute_id: Option<String>,
    /// Whether today lies within `since`…`until`.
    pub current: bool,
    pub member: Option<MemberSummary>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMembership {
    pub member_id: String,
    pub role: MembershipRole,
    #[serde(default)]
    pub since: Option<NaiveDate>,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    #[serde(default)]
    pub substitute_for: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipPatch {
    pub role: Option<MembershipRole>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub since: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub until: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub substitute_for: Option<Option<String>>,
}

pub fn is_current(row: &MembershipRow, today: NaiveDate) -> bool {
    row.since.is_none_or(|since| since <= today) && row.until.is_none_or(|until| today <= until)
}

/// Checks dates and the substitute link of a membership about to be saved.
fn check_membership(conn: &mut DbConn, row: &MembershipRow, check: &mut Check) -> AppResult<()> {
    if let (Some(since), Some(until)) = (row.since, row.until)
        && until < since
    {
        check.add("until", "la date de fin précède la date de début");
    }
    let Some(titular_id) = &row.substitute_for else {
        return Ok(());
    };
    let scope = Scope::Structure(row.structure_id.clone());
    match store::committees::find_membership(conn, &scope, titular_id)? {
        Some(titular) if titular.id == row.id => {
            check.add("substitute_for", "un membre ne peut se suppléer lui-même")
        }
        Some(titular) if titular.committee_id != row.committee_id => {
            check.add("substitute_for", "le titulaire doit siéger au même comité")
        }
        Some(titular) if titular.substitute_for.is_some() => check.add(
            "substitute_for",
            "un suppléant ne peut pas avoir lui-même de suppléant",
        ),
        Some(titular) if titular.member_id == row.member_id => {
            check.add("substitute_for", "un membre ne peut se suppléer lui-même")
        }
        Some(titular) => {
            if let Some(existing) = store::committees::substitute_of(conn, &titular.id)?
                && existing.id != row.id
            {
                check.add("substitute_for", "ce titulaire a déjà un suppléant");
            }
        }
        None => check.add("substitute_for", "appartenance inconnue"),
    }
    Ok(())
}

fn record_membership(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    row: &MembershipRow,
    verb: &str,
    summary: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: &format!("membership.{verb}"),
            entity: "membership",
            entity_id: &row.id,
            summary,
        },
    )
}

pub fn add_membership(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    committee_id: &str,
    input: NewMembership,
) -> AppResult<Membership> {
    let committee = store::committees::find(conn, &caller.scope(), committee_id).found()?;
    let mut check = Check::new();
    let member_scope = Scope::Structure(committee.structure_id.clone());
    match store::members::find(conn, &member_scope, &input.member_id)? {
        Some((member, _)) if member.archived_at.is_some() || member.anonymized_at.is_some() => {
            check.add("member_id", "ce membre est archivé")
        }
        Some(_) => {}
        None => check.add("member_id", "membre inconnu"),
    }
    let row = MembershipRow {
        id: store::new_id(),
        structure_id: committee.structure_id.clone(),
        committee_id: committee.id.clone(),
        member_id: input.member_id,
        role: input.role.as_str().into(),
        since: input.since,
        until: input.until,
        substitute_for: input.substitute_for,
        created_at: now.naive_utc(),
        updated_at: now.naive_utc(),
    };
    check_membership(conn, &row, &mut check)?;
    check.finish()?;
    store::committees::insert_membership(conn, &row)?;
    let summary =
        json!({ "committee_id": row.committee_id, "member_id": row.member_id, "role": row.role });
    record_membership(conn, caller, now, &row, "create", summary)?;
    membership(
        conn,
        &caller.scope(),
        &row.id,
        crate::clock::paris_date(now),
    )
}

pub fn update_membership(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
    patch: MembershipPatch,
) -> AppResult<Membership> {
    let before = store::committees::find_membership(conn, &caller.scope(), id).found()?;
    let mut row = before.clone();
    row.role = patch.role.map_or(row.role, |r| r.as_str().into());
    row.since = patch.since.unwrap_or(row.since);
    row.until = patch.until.unwrap_or(row.until);
    row.substitute_for = patch.substitute_for.unwrap_or(row.substitute_for);
    let mut check = Check::new();
    check_membership(conn, &row, &mut check)?;
    check.finish()?;
    let changed: Vec<&str> = audit::changed([
        ("role", before.role != row.role),
        ("since", before.since != row.since),
        ("until", before.until != row.until),
        (
            "substitute_for",
            before.substitute_for != row.substitute_for,
        ),
    ]);
    if !changed.is_empty() {
        row.updated_at = now.naive_utc();
        store::committees::update_membership(conn, &row)?;
        record_membership(
            conn,
            caller,
            now,
            &row,
            "update",
            json!({ "changed": changed }),
        )?;
    }
    membership(conn, &caller.scope(), id, crate::clock::paris_date(now))
}

pub fn remove_membership(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
) -> AppResult<()> {
    let row = store::committees::find_membership(conn, &caller.scope(), id).found()?;
    store::committees::delete_membership(conn, id)?;
    let summary = json!({ "committee_id": row.committee_id, "member_id": row.member_id });
    record_membership(conn, caller, now, &row, "delete", summary)
}

/// One membership as listed.
pub fn membership(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    today: NaiveDate,
) -> AppResult<Membership> {
    let row = store::committees::find_membership(conn, scope, id).found()?;
    let all = memberships(conn, scope, &row.committee_id, today, false)?;
    all.into_iter()
        .find(|m| m.id == id)
        .ok_or(AppError::NotFound)
}

/// A committee's memberships, each with its member and substitute link.
pub fn memberships(
    conn: &mut DbConn,
    scope: &Scope,
    committee_id: &str,
    today: NaiveDate,
    current_only: bool,
) -> AppResult<Vec<Membership>> {
    store::committees::find(conn, scope, committee_id).found()?;
    let rows = store::committees::memberships_of(conn, committee_id)?;
    let substitutes: Vec<(String, String)> = rows
        .iter()
        .filter_map(|(m, _, _)| {
            m.substitute_for
                .clone()
                .map(|titular| (titular, m.id.clone()))
        })
        .collect();
    let mut items = Vec::with_capacity(rows.len());
    for (row, member, organization) in rows {
        let current = is_current(&row, today);
        if current_only && !current {
            continue;
        }
        let summary = MemberSummary {
            civility: member
                .civility
                .as_deref()
                .map(Civility::from_stored)
                .transpose()?,
            organization: member
                .organization_id
                .clone()
                .zip(organization)
                .map(|(id, (name, acronym))| OrganizationRef { id, name, acronym }),
            first_name: member.first_name,
            last_name: member.last_name,
            function: member.function,
            email: member.email,
        };
        items.push(Membership {
            role: MembershipRole::from_stored(&row.role)?,
            substitute_id: substitutes
                .iter()
                .find(|(titular, _)| *titular == row.id)
                .map(|(_, s)| s.clone()),
            current,
            member: Some(summary),
            id: row.id,
            committee_id: row.committee_id,
            member_id: row.member_id,
            since: row.since,
            until: row.until,
            substitute_for: row.substitute_for,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        });
    }
    // Chair first, then the secretary, members and guests; by name within.
    items.sort_by_key(|m| match m.role {
        MembershipRole::Chair => 0,
        MembershipRole::Secretary => 1,
        MembershipRole::Member => 2,
        MembershipRole::Guest => 3,
    });
    Ok(items)
}
