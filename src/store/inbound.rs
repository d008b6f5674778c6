//! The `inbound_messages` table: each message read from clu's mailbox,
//! recorded in the transaction that acts on it. Its key is unique, so a
//! message is handled once however many servers read the mailbox.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::inbound_messages;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = inbound_messages)]
pub struct InboundRow {
    pub id: String,
    /// The Message-ID, or a hash of the message when it has none.
    pub message_key: String,
    /// calendar_reply, bounce, auto_reply, reply, unrelated.
    pub kind: String,
    pub structure_id: Option<String>,
    pub meeting_id: Option<String>,
    pub invitation_id: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    /// What clu did with it, in French, for the secrétariat.
    pub outcome: String,
    pub received_at: Option<NaiveDateTime>,
    pub handled_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &InboundRow) -> QueryResult<()> {
    diesel::insert_into(inbound_messages::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// When the message of this key was handled, if it was.
pub fn handled_at(conn: &mut DbConn, key: &str) -> QueryResult<Option<NaiveDateTime>> {
    inbound_messages::table
        .filter(inbound_messages::message_key.eq(key))
        .select(inbound_messages::handled_at)
        .first(conn)
        .optional()
}

/// A meeting's inbound messages of one kind, oldest first.
pub fn of_meeting(conn: &mut DbConn, meeting_id: &str, kind: &str) -> QueryResult<Vec<InboundRow>> {
    inbound_messages::table
        .filter(inbound_messages::meeting_id.eq(meeting_id))
        .filter(inbound_messages::kind.eq(kind))
        .order((
            inbound_messages::handled_at.asc(),
            inbound_messages::id.asc(),
        ))
        .select(InboundRow::as_select())
        .load(conn)
}

/// Erases who wrote and what about, for the messages about these
/// invitations (a member's anonymisation).
pub fn scrub_invitations(conn: &mut DbConn, invitation_ids: &[String]) -> QueryResult<()> {
    diesel::update(
        inbound_messages::table.filter(inbound_messages::invitation_id.eq_any(invitation_ids)),
    )
    .set((
        inbound_messages::sender.eq(None::<String>),
        inbound_messages::subject.eq(None::<String>),
    ))
    .execute(conn)
    .map(drop)
}
