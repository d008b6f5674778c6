//! The rights of the people in the registry (GDPR): an export of everything
//! held about a member, and anonymisation that erases their identity while
//! keeping memberships and attendance, so past documents still add up.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::members::{self, Member};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::audit::{self, AuditEvent, Event};
use crate::error::AppResult;
use crate::store::{self, Scope};

/// The name an anonymised member is shown under.
pub const ANONYMIZED_NAME: &str = "Membre anonymisé";

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipRecord {
    pub id: String,
    pub committee_id: String,
    pub committee_name: String,
    pub role: String,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub substitute_for: Option<String>,
}

/// An invitation to a meeting and what came of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationRecord {
    pub id: String,
    pub meeting_id: String,
    /// The address the invitation went to.
    pub email: Option<String>,
    pub response: String,
    pub mode: Option<String>,
    pub presence: String,
    pub responded_at: Option<DateTime<Utc>>,
    pub invited_at: DateTime<Utc>,
}

/// Everything clu holds about one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberExport {
    pub exported_at: DateTime<Utc>,
    pub member: Member,
    pub memberships: Vec<MembershipRecord>,
    /// Invitations, answers and attendance.
    pub invitations: Vec<InvitationRecord>,
    /// The changes recorded about the person or their memberships.
    pub audit_events: Vec<AuditEvent>,
}

pub fn export(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    now: DateTime<Utc>,
) -> AppResult<MemberExport> {
    let member = members::get(conn, scope, id)?;
    let memberships: Vec<MembershipRecord> = store::committees::memberships_of_member(conn, id)?
        .into_iter()
        .map(|(row, committee_name)| MembershipRecord {
            id: row.id,
            committee_id: row.committee_id,
            committee_name,
            role: row.role,
            since: row.since,
            until: row.until,
            substitute_for: row.substitute_for,
        })
        .collect();
    let invitations: Vec<InvitationRecord> = store::invitations::of_member(conn, scope, id)?
        .into_iter()
        .map(|row| InvitationRecord {
            id: row.id,
            meeting_id: row.meeting_id,
            email: row.email,
            response: row.response,
            mode: row.mode,
            presence: row.presence,
            responded_at: row.responded_at.map(|t| t.and_utc()),
            invited_at: row.created_at.and_utc(),
        })
        .collect();
    let mut entity_ids: Vec<String> = memberships.iter().map(|m| m.id.clone()).collect();
    entity_ids.extend(invitations.iter().map(|i| i.id.clone()));
    entity_ids.push(id.to_owned());
    let audit_events = store::audit::for_entities(conn, &entity_ids)?
        .into_iter()
        .map(AuditEvent::from)
        .collect();
    Ok(MemberExport {
        exported_at: now,
        member,
        memberships,
        invitations,
        audit_events,
    })
}

/// Replaces the identity by "Membre anonymisé", erases contact details and
/// the search key, archives the member, withdraws their answer links and
/// erases the e-mails the outbox kept for them and what they wrote back.
/// Answers and attendance stay.
/// Idempotent.
pub fn anonymize(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    id: &str,
) -> AppResult<Member> {
    let (before, _) = store::members::find(conn, &caller.scope(), id).found()?;
    if before.anonymized_at.is_some() {
        return members::get(conn, &caller.scope(), id);
    }
    let mut row = before.clone();
    row.civility = None;
    row.first_name = String::new();
    row.last_name = ANONYMIZED_NAME.into();
    row.function = None;
    row.email = None;
    row.phone = None;
    row.search_key = String::new();
    row.anonymized_at = Some(now.naive_utc());
    row.archived_at = row.archived_at.or(Some(now.naive_utc()));
    row.updated_at = now.naive_utc();
    store::members::update(conn, &row)?;
    let invitations = store::invitations::of_member(conn, &caller.scope(), id)?;
    // Who wrote back and about what (replies, calendar answers, bounces).
    let ids: Vec<String> = invitations.iter().map(|i| i.id.clone()).collect();
    store::inbound::scrub_invitations(conn, &ids)?;
    for mut invitation in invitations {
        invitation.response_note = None;
        invitation.email = None;
        invitation.revoked_at = invitation.revoked_at.or(Some(now.naive_utc()));
        invitation.updated_at = now.naive_utc();
        store::invitations::update(conn, &invitation)?;
    }
    // Every message to the member (invitations, reminders, distribution).
    store::outbox::scrub_member(conn, id)?;
    let changed = members::changed_fields(&before, &row);
    audit::record(
        conn,
        &caller.into(),
        now,
        Event {
            structure_id: Some(&row.structure_id),
            action: "member.anonymize",
            entity: "member",
            entity_id: &row.id,
            summary: json!({ "changed": changed }),
        },
    )?;
    members::get(conn, &caller.scope(), id)
}
