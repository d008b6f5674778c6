//! The `invitations` table: one row per invited member and meeting, with
//! the answer and the roll call.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Scope;
use crate::db::DbConn;
use crate::db::schema::{invitations, meetings, members};
use crate::store::members::MemberRow;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = invitations, treat_none_as_null = true)]
pub struct InvitationRow {
    pub id: String,
    pub structure_id: String,
    pub meeting_id: String,
    pub member_id: String,
    pub email: Option<String>,
    pub response: String,
    pub mode: Option<String>,
    pub presence: String,
    pub responded_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// How the answer arrived: link, calendar or staff.
    pub answered_via: Option<String>,
    /// What the answer said beyond yes or no (a calendar's "peut-être").
    pub response_note: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &InvitationRow) -> QueryResult<()> {
    diesel::insert_into(invitations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &InvitationRow) -> QueryResult<()> {
    diesel::update(invitations::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// Any invitation by id (the answer link carries it).
pub fn find_any(conn: &mut DbConn, id: &str) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .find(id)
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_for_member(
    conn: &mut DbConn,
    meeting_id: &str,
    member_id: &str,
) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .filter(invitations::meeting_id.eq(meeting_id))
        .filter(invitations::member_id.eq(member_id))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// The invitation of `meeting_id` sent to `email` (any case), if one is.
pub fn find_by_email(
    conn: &mut DbConn,
    meeting_id: &str,
    email: &str,
) -> QueryResult<Option<InvitationRow>> {
    let wanted = email.trim().to_lowercase();
    Ok(invitations::table
        .filter(invitations::meeting_id.eq(meeting_id))
        .filter(invitations::email.is_not_null())
        .select(InvitationRow::as_select())
        .load(conn)?
        .into_iter()
        .find(|row| row.email.as_deref().map(str::to_lowercase).as_deref() == Some(&wanted)))
}

/// A meeting's invitations with their members, by name.
pub fn of_meeting(
    conn: &mut DbConn,
    meeting_id: &str,
) -> QueryResult<Vec<(InvitationRow, MemberRow)>> {
    invitations::table
        .inner_join(members::table)
        .filter(invitations::meeting_id.eq(meeting_id))
        .order((
            members::last_name.asc(),
            members::first_name.asc(),
            invitations::id.asc(),
        ))
        .select((InvitationRow::as_select(), MemberRow::as_select()))
        .load(conn)
}

/// The member ids already invited to the meeting.
pub fn invited_member_ids(conn: &mut DbConn, meeting_id: &str) -> QueryResult<Vec<String>> {
    invitations::table
        .filter(invitations::meeting_id.eq(meeting_id))
        .select(invitations::member_id)
        .load(conn)
}

/// Every invitation of a member (GDPR export and anonymisation).
pub fn of_member(
    conn: &mut DbConn,
    scope: &Scope,
    member_id: &str,
) -> QueryResult<Vec<InvitationRow>> {
    let mut query = invitations::table
        .filter(invitations::member_id.eq(member_id.to_owned()))
        .order(invitations::created_at.asc())
        .select(InvitationRow::as_select())
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(invitations::structure_id.eq(own.clone()));
    }
    query.load(conn)
}

/// A member's invitations with their meeting's title, start and status,
/// the latest meeting first (the member's page).
pub fn of_member_with_meetings(
    conn: &mut DbConn,
    scope: &Scope,
    member_id: &str,
) -> QueryResult<Vec<(InvitationRow, String, NaiveDateTime, String)>> {
    let mut query = invitations::table
        .inner_join(meetings::table)
        .filter(invitations::member_id.eq(member_id.to_owned()))
        .order((meetings::starts_at.desc(), invitations::id.asc()))
        .select((
            InvitationRow::as_select(),
            meetings::title,
            meetings::starts_at,
            meetings::status,
        ))
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(invitations::structure_id.eq(own.clone()));
    }
    query.load(conn)
}
