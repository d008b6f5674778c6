//! The mail that comes back to clu's mailbox, each message handled once in
//! one transaction with what it causes: a calendar's answer recorded as an
//! answer by link would be, a delivery failure marked on the invitation, a
//! member's reply forwarded to the secrétariat; out-of-office robots and
//! unrelated mail change nothing. The IMAP side is `worker::inbox`.

mod bounce;
mod calendar;
mod reply;

use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::meetings::notices::Notices;
use crate::error::AppResult;
use crate::mail::inbound::Incoming;
use crate::store::inbound::InboundRow;
use crate::store::{self, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    CalendarReply,
    Bounce,
    AutoReply,
    Reply,
    Unrelated,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CalendarReply => "calendar_reply",
            Self::Bounce => "bounce",
            Self::AutoReply => "auto_reply",
            Self::Reply => "reply",
            Self::Unrelated => "unrelated",
        }
    }
}

/// What a message did, kept with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    pub kind: Kind,
    pub structure_id: Option<String>,
    pub meeting_id: Option<String>,
    pub invitation_id: Option<String>,
    /// In French, for the secrétariat; never an address.
    pub outcome: String,
}

impl Effect {
    fn nothing(kind: Kind, outcome: impl Into<String>) -> Self {
        Self {
            kind,
            structure_id: None,
            meeting_id: None,
            invitation_id: None,
            outcome: outcome.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Handled now.
    Now(Effect),
    /// Handled before, by this server or another, at that time.
    Before(DateTime<Utc>),
}

/// Handles one message, unless it already was (by this server or another):
/// then changes nothing. `raw` is the message as received.
pub fn handle(
    conn: &mut DbConn,
    notices: &Notices,
    incoming: &Incoming,
    raw: &[u8],
) -> AppResult<Handled> {
    if let Some(at) = store::inbound::handled_at(conn, &incoming.key)? {
        return Ok(Handled::Before(at.and_utc()));
    }
    let effect = if let Some(report) = &incoming.report {
        bounce::handle(conn, notices, report)?
    } else if let Some(answer) = &incoming.calendar {
        calendar::handle(conn, notices, incoming, answer)?
    } else if incoming.automatic {
        Effect::nothing(Kind::AutoReply, "Réponse automatique : rien à faire.")
    } else {
        reply::handle(conn, notices, incoming, raw)?
    };
    // Last, in the same transaction: a second server handling the same
    // message at the same time fails here on the unique key, and all it
    // did is undone.
    store::inbound::insert(
        conn,
        &InboundRow {
            id: store::new_id(),
            message_key: incoming.key.clone(),
            kind: effect.kind.as_str().into(),
            structure_id: effect.structure_id.clone(),
            meeting_id: effect.meeting_id.clone(),
            invitation_id: effect.invitation_id.clone(),
            sender: incoming.from.clone(),
            subject: incoming.subject.clone(),
            outcome: effect.outcome.clone(),
            received_at: incoming.date.map(|d| d.naive_utc()),
            handled_at: notices.now.naive_utc(),
        },
    )?;
    Ok(Handled::Now(effect))
}

/// When the message of this key was handled, if it was.
pub fn handled_at(conn: &mut DbConn, key: &str) -> AppResult<Option<DateTime<Utc>>> {
    Ok(store::inbound::handled_at(conn, key)?.map(|at| at.and_utc()))
}

/// A person's reply about a meeting, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedReply {
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub handled_at: DateTime<Utc>,
    pub outcome: String,
}

/// The replies received about a meeting, oldest first.
pub fn replies(
    conn: &mut DbConn,
    scope: &Scope,
    meeting_id: &str,
) -> AppResult<Vec<ReceivedReply>> {
    store::meetings::find(conn, scope, meeting_id).found()?;
    Ok(
        store::inbound::of_meeting(conn, meeting_id, Kind::Reply.as_str())?
            .into_iter()
            .map(|row| ReceivedReply {
                sender: row.sender,
                subject: row.subject,
                handled_at: row.handled_at.and_utc(),
                outcome: row.outcome,
            })
            .collect(),
    )
}
