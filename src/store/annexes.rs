//! The annexes of a meeting and their contents: `annexes` (what is
//! attached where, under which name), `annex_contents` (a file's bytes
//! once, by SHA-256) and `annex_chunks` (those bytes, 1 MiB at a time).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{agenda_items, annex_chunks, annex_contents, annexes};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = annexes, treat_none_as_null = true)]
pub struct AnnexRow {
    pub id: String,
    pub structure_id: String,
    pub meeting_id: String,
    pub agenda_item_id: Option<String>,
    pub position: i32,
    pub file_name: String,
    pub sha256: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = annex_contents)]
pub struct ContentRow {
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &AnnexRow) -> QueryResult<()> {
    diesel::insert_into(annexes::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConn, row: &AnnexRow) -> QueryResult<()> {
    diesel::update(annexes::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::delete(annexes::table.find(id))
        .execute(conn)
        .map(drop)
}

/// Any annex by id, with its content's description.
pub fn find_any(conn: &mut DbConn, id: &str) -> QueryResult<Option<(AnnexRow, ContentRow)>> {
    annexes::table
        .inner_join(annex_contents::table)
        .filter(annexes::id.eq(id))
        .select((AnnexRow::as_select(), ContentRow::as_select()))
        .first(conn)
        .optional()
}

/// A meeting's annexes in agenda order (the meeting's own documents
/// last), then in their order.
pub fn of_meeting(
    conn: &mut DbConn,
    meeting_id: &str,
) -> QueryResult<Vec<(AnnexRow, ContentRow, Option<i32>)>> {
    let mut rows: Vec<(AnnexRow, ContentRow, Option<i32>)> = annexes::table
        .inner_join(annex_contents::table)
        .left_join(agenda_items::table.on(annexes::agenda_item_id.eq(agenda_items::id.nullable())))
        .filter(annexes::meeting_id.eq(meeting_id))
        .select((
            AnnexRow::as_select(),
            ContentRow::as_select(),
            agenda_items::position.nullable(),
        ))
        .load(conn)?;
    rows.sort_by_key(|(annex, _, item)| {
        (item.unwrap_or(i32::MAX), annex.position, annex.created_at)
    });
    Ok(rows)
}

/// The annexes whose content has this SHA-256.
pub fn with_content(conn: &mut DbConn, sha256: &str) -> QueryResult<Vec<AnnexRow>> {
    annexes::table
        .filter(annexes::sha256.eq(sha256))
        .order(annexes::created_at.asc())
        .select(AnnexRow::as_select())
        .load(conn)
}

/// The bytes a meeting's annexes take, counted once per annex.
pub fn meeting_usage(conn: &mut DbConn, meeting_id: &str) -> QueryResult<i64> {
    let sizes: Vec<i64> = annexes::table
        .inner_join(annex_contents::table)
        .filter(annexes::meeting_id.eq(meeting_id))
        .select(annex_contents::size)
        .load(conn)?;
    Ok(sizes.iter().sum())
}

pub fn next_position(conn: &mut DbConn, meeting_id: &str) -> QueryResult<i32> {
    let highest: Option<i32> = annexes::table
        .filter(annexes::meeting_id.eq(meeting_id))
        .select(diesel::dsl::max(annexes::position))
        .first(conn)?;
    Ok(highest.map_or(1, |p| p + 1))
}

pub fn content(conn: &mut DbConn, sha256: &str) -> QueryResult<Option<ContentRow>> {
    annex_contents::table
        .find(sha256)
        .select(ContentRow::as_select())
        .first(conn)
        .optional()
}

/// Stores a content and its chunks (the caller checked it is new).
pub fn insert_content(conn: &mut DbConn, row: &ContentRow, chunks: &[Vec<u8>]) -> QueryResult<()> {
    diesel::insert_into(annex_contents::table)
        .values(row)
        .execute(conn)?;
    for (seq, bytes) in chunks.iter().enumerate() {
        diesel::insert_into(annex_chunks::table)
            .values((
                annex_chunks::sha256.eq(&row.sha256),
                annex_chunks::seq.eq(i32::try_from(seq).unwrap_or(i32::MAX)),
                annex_chunks::bytes.eq(bytes.as_slice()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One chunk of a content's bytes.
pub fn chunk(conn: &mut DbConn, sha256: &str, seq: i32) -> QueryResult<Option<Vec<u8>>> {
    annex_chunks::table
        .find((sha256, seq))
        .select(annex_chunks::bytes)
        .first(conn)
        .optional()
}

/// Removes a content no annex uses any more; returns whether it did.
pub fn delete_content_if_unused(conn: &mut DbConn, sha256: &str) -> QueryResult<bool> {
    let used: i64 = annexes::table
        .filter(annexes::sha256.eq(sha256))
        .count()
        .get_result(conn)?;
    if used > 0 {
        return Ok(false);
    }
    diesel::delete(annex_chunks::table.filter(annex_chunks::sha256.eq(sha256))).execute(conn)?;
    diesel::delete(annex_contents::table.find(sha256)).execute(conn)?;
    Ok(true)
}
