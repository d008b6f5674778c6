//! The `minutes` and `documents` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Scope;
use super::meetings::MeetingRow;
use crate::db::DbConn;
use crate::db::schema::{committees, documents, meetings, minutes};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = minutes, treat_none_as_null = true)]
pub struct MinutesRow {
    pub id: String,
    pub structure_id: String,
    pub meeting_id: String,
    pub revision: i32,
    pub status: String,
    pub opening: Option<String>,
    /// JSON array of {agenda_item_id, body, remarks}.
    pub items: String,
    pub post_meeting_notes: Option<String>,
    pub closing_time: Option<String>,
    /// JSON array of {comment, by, at}.
    pub comments: String,
    pub signed_by: Option<String>,
    pub signer_name: Option<String>,
    pub signer_function: Option<String>,
    pub signer_delegation: Option<String>,
    pub signed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Who submitted the revision for signature, and when.
    pub submitted_by: Option<String>,
    pub submitted_by_name: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: String,
    pub structure_id: String,
    pub meeting_id: String,
    pub minutes_id: String,
    pub revision: i32,
    pub format: String,
    pub content: Vec<u8>,
    pub sha256: String,
    pub created_at: NaiveDateTime,
    /// The PDF's PAdES level: "B-B" (no timestamp yet) or "B-T".
    pub signature_level: Option<String>,
    /// The PDF's fingerprint when first signed, once a document timestamp
    /// changed its bytes.
    pub first_sha256: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &MinutesRow) -> QueryResult<()> {
    diesel::insert_into(minutes::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &MinutesRow) -> QueryResult<()> {
    diesel::update(minutes::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// The latest revision of a meeting's minutes.
pub fn latest(conn: &mut DbConn, meeting_id: &str) -> QueryResult<Option<MinutesRow>> {
    minutes::table
        .filter(minutes::meeting_id.eq(meeting_id))
        .order(minutes::revision.desc())
        .select(MinutesRow::as_select())
        .first(conn)
        .optional()
}

pub fn revision(
    conn: &mut DbConn,
    meeting_id: &str,
    revision: i32,
) -> QueryResult<Option<MinutesRow>> {
    minutes::table
        .filter(minutes::meeting_id.eq(meeting_id))
        .filter(minutes::revision.eq(revision))
        .select(MinutesRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_document(conn: &mut DbConn, row: &DocumentRow) -> QueryResult<()> {
    diesel::insert_into(documents::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn document(
    conn: &mut DbConn,
    minutes_id: &str,
    format: &str,
) -> QueryResult<Option<DocumentRow>> {
    documents::table
        .filter(documents::minutes_id.eq(minutes_id))
        .filter(documents::format.eq(format))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

/// The signed document with this fingerprint, whatever the structure
/// (anyone may verify a document they hold).
pub fn by_fingerprint(conn: &mut DbConn, sha256: &str) -> QueryResult<Option<DocumentRow>> {
    documents::table
        .filter(
            documents::sha256
                .eq(sha256)
                .or(documents::first_sha256.eq(sha256)),
        )
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

/// The submitted minutes of a scope with their meeting and committee name,
/// oldest submission first (the signatory's "À signer").
pub fn submitted_in(
    conn: &mut DbConn,
    scope: &Scope,
) -> QueryResult<Vec<(MinutesRow, MeetingRow, String)>> {
    let submitted: &'static str = "submitted";
    let mut query = minutes::table
        .inner_join(meetings::table.on(meetings::id.eq(minutes::meeting_id)))
        .inner_join(committees::table.on(committees::id.eq(meetings::committee_id)))
        .filter(minutes::status.eq(submitted))
        .select((
            MinutesRow::as_select(),
            MeetingRow::as_select(),
            committees::name,
        ))
        .into_boxed();
    if let Scope::Structure(own) = scope {
        query = query.filter(minutes::structure_id.eq(own.clone()));
    }
    query
        .order((minutes::submitted_at.asc(), minutes::id.asc()))
        .load(conn)
}

/// Every revision of a meeting's minutes, the latest first.
pub fn revisions(conn: &mut DbConn, meeting_id: &str) -> QueryResult<Vec<MinutesRow>> {
    minutes::table
        .filter(minutes::meeting_id.eq(meeting_id))
        .order(minutes::revision.desc())
        .select(MinutesRow::as_select())
        .load(conn)
}

/// Signed PDFs still without a timestamp (B-B), oldest first.
pub fn awaiting_timestamp(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<DocumentRow>> {
    documents::table
        .filter(documents::format.eq("pdf"))
        .filter(documents::signature_level.eq("B-B"))
        .order(documents::created_at.asc())
        .limit(limit)
        .select(DocumentRow::as_select())
        .load(conn)
}

/// Replaces a B-B PDF by its timestamped copy, if it is still the bytes
/// `old_sha256` (another server may have done it); the fingerprint it had
/// is kept. Whether it was replaced.
pub fn set_timestamped(
    conn: &mut DbConn,
    id: &str,
    old_sha256: &str,
    content: &[u8],
    sha256: &str,
) -> QueryResult<bool> {
    diesel::update(
        documents::table
            .filter(documents::id.eq(id))
            .filter(documents::sha256.eq(old_sha256)),
    )
    .set((
        documents::content.eq(content),
        documents::sha256.eq(sha256),
        documents::first_sha256.eq(old_sha256),
        documents::signature_level.eq("B-T"),
    ))
    .execute(conn)
    .map(|n| n == 1)
}
