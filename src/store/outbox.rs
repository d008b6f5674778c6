//! The `outbox` table: e-mails written in the transaction that causes them,
//! then claimed, sent and marked by the worker.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::outbox;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub structure_id: Option<String>,
    /// invitation, update, cancellation, reminder…
    pub kind: String,
    pub meeting_id: Option<String>,
    pub invitation_id: Option<String>,
    pub recipient: String,
    /// JSON of a `mail::Content`: subject, bodies, iCalendar part.
    pub content: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claim: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// The member a message is for.
    pub member_id: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &OutboxRow) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Queued and due, or claimed by a worker whose lease ran out.
#[diesel::dsl::auto_type]
fn claimable(now: NaiveDateTime) -> _ {
    let queued: &'static str = "queued";
    let sending: &'static str = "sending";
    outbox::status
        .eq(queued)
        .and(outbox::next_attempt_at.le(now))
        .or(outbox::status
            .eq(sending)
            .and(outbox::claimed_until.lt(now)))
}

/// Up to `limit` messages due at `now`, oldest due first. Reads only: the
/// worker asks before it takes the write lock.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<String>> {
    outbox::table
        .filter(claimable(now))
        .order((outbox::next_attempt_at.asc(), outbox::created_at.asc()))
        .limit(limit)
        .select(outbox::id)
        .load(conn)
}

/// Claims those of `candidates` still due for `claim`, and returns them.
///
/// Portable: the conditional UPDATE re-checks each row's state, so two
/// workers racing for the same rows (PostgreSQL re-evaluates the condition
/// after the row lock; SQLite has one writer) never both get one.
pub fn claim(
    conn: &mut DbConn,
    claim: &str,
    candidates: &[String],
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Vec<OutboxRow>> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(candidates))
            .filter(claimable(now)),
    )
    .set((
        outbox::status.eq("sending"),
        outbox::claim.eq(claim),
        outbox::claimed_until.eq(lease_until),
        outbox::attempts.eq(outbox::attempts + 1),
    ))
    .execute(conn)?;
    outbox::table
        .filter(outbox::claim.eq(claim))
        .filter(outbox::status.eq("sending"))
        .filter(outbox::id.eq_any(candidates))
        .select(OutboxRow::as_select())
        .load(conn)
}

pub fn mark_sent(conn: &mut DbConn, id: &str, claim: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id).filter(outbox::claim.eq(claim)))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(Some(at)),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

/// Back to the queue until `retry_at`, or `failed` when `retry_at` is none.
pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    claim: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    let target = outbox::table.find(id).filter(outbox::claim.eq(claim));
    let cleared = (
        outbox::last_error.eq(Some(error)),
        outbox::claimed_until.eq(None::<NaiveDateTime>),
    );
    match retry_at {
        Some(at) => diesel::update(target)
            .set((
                outbox::status.eq("queued"),
                outbox::next_attempt_at.eq(at),
                cleared,
            ))
            .execute(conn),
        None => diesel::update(target)
            .set((outbox::status.eq("failed"), cleared))
            .execute(conn),
    }
    .map(drop)
}

/// The message clu sent whose Message-ID this is (`<…>` included).
pub fn by_message_id(conn: &mut DbConn, message_id: &str) -> QueryResult<Option<OutboxRow>> {
    outbox::table
        .filter(outbox::message_id.eq(message_id))
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}

/// A sent message reported undelivered by the receiving side (a delivery
/// status notification): failed, with the reason; its `sent_at` stays,
/// which tells it from a message given up before it left. Returns whether
/// it was sent.
pub fn mark_bounced(conn: &mut DbConn, id: &str, reason: &str) -> QueryResult<bool> {
    diesel::update(outbox::table.find(id).filter(outbox::status.eq("sent")))
        .set((
            outbox::status.eq("failed"),
            outbox::last_error.eq(Some(reason)),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// A failed (or returned) message queued again, now, to `recipient` (the
/// address may have been corrected since): attempts start again from zero.
/// Returns whether the message was failed (and so is queued again).
pub fn requeue_failed(
    conn: &mut DbConn,
    id: &str,
    recipient: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(outbox::table.find(id).filter(outbox::status.eq("failed")))
        .set((
            outbox::sent_at.eq(None::<NaiveDateTime>),
            outbox::status.eq("queued"),
            outbox::recipient.eq(recipient),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::claim.eq(None::<String>),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// The meeting of each invitation that failed to go or came back, for the meetings
/// ending at or after `now`, in scope (one id per failed message).
pub fn failed_invitations(
    conn: &mut DbConn,
    scope: &super::Scope,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    use crate::db::schema::meetings;
    let mut query = outbox::table
        .inner_join(meetings::table.on(outbox::meeting_id.eq(meetings::id.nullable())))
        .filter(outbox::kind.eq("invitation"))
        .filter(outbox::status.eq("failed"))
        .filter(meetings::ends_at.ge(now))
        .into_boxed();
    if let super::Scope::Structure(own) = scope {
        query = query.filter(meetings::structure_id.eq(own.clone()));
    }
    query.select(meetings::id).load(conn)
}

/// The latest message of each kind about an invitation.
pub fn of_invitations(
    conn: &mut DbConn,
    invitation_ids: &[String],
    kind: &str,
) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::invitation_id.eq_any(invitation_ids))
        .filter(outbox::kind.eq(kind))
        .order(outbox::created_at.asc())
        .select(OutboxRow::as_select())
        .load(conn)
}

/// A meeting's messages of one kind, oldest first.
pub fn of_meeting(conn: &mut DbConn, meeting_id: &str, kind: &str) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::meeting_id.eq(meeting_id))
        .filter(outbox::kind.eq(kind))
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Erases the address and content of every message to a member.
pub fn scrub_member(conn: &mut DbConn, member_id: &str) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::member_id.eq(member_id)))
        .set((
            outbox::recipient.eq(""),
            outbox::content.eq("{}"),
            // A delivery report's words may quote the address.
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

/// The outbox as `/metrics` shows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub queued: i64,
    pub sending: i64,
    pub failed: i64,
    /// Since the oldest queued message was written; 0 when none is.
    pub oldest_queued_seconds: f64,
}

pub fn stats(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Stats> {
    let counts: Vec<(String, i64)> = outbox::table
        .filter(outbox::status.eq_any(["queued", "sending", "failed"]))
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?;
    let count = |status: &str| {
        counts
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    let oldest: Option<NaiveDateTime> = outbox::table
        .filter(outbox::status.eq("queued"))
        .select(diesel::dsl::min(outbox::created_at))
        .first(conn)?;
    Ok(Stats {
        queued: count("queued"),
        sending: count("sending"),
        failed: count("failed"),
        oldest_queued_seconds: oldest.map_or(0.0, |at| {
            (now - at).num_milliseconds().max(0) as f64 / 1000.0
        }),
    })
}

/// Extends the lease of every message `claim` is still sending: a live
/// worker keeps its messages, a dead one's run out soon after it died.
pub fn renew(conn: &mut DbConn, claim: &str, until: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::claim.eq(claim))
            .filter(outbox::status.eq("sending")),
    )
    .set(outbox::claimed_until.eq(until))
    .execute(conn)
}
