//! A compte-rendu signed while the time-stamping authority did not answer
//! (PAdES B-B) gets a document timestamp later: its PDF is replaced by the
//! timestamped copy (an incremental update, so the signature stays), and
//! the fingerprint it had stays verifiable.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::db::DbConn;
use crate::domain::audit::{self, Actor, Event};
use crate::error::AppResult;
use crate::store;
use crate::store::minutes::DocumentRow;

/// The signed PDFs without a timestamp, a few at a time.
pub fn pending(conn: &mut DbConn) -> AppResult<Vec<DocumentRow>> {
    Ok(store::minutes::awaiting_timestamp(conn, 10)?)
}

/// Stores the timestamped copy of `document`, unless another server did.
pub fn store(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    document: &DocumentRow,
    timestamped: &[u8],
) -> AppResult<bool> {
    let sha256 = crate::documents::fingerprint(timestamped);
    let replaced = store::minutes::set_timestamped(
        conn,
        &document.id,
        &document.sha256,
        timestamped,
        &sha256,
    )?;
    if replaced {
        audit::record(
            conn,
            &Actor::system(),
            now,
            Event {
                structure_id: Some(&document.structure_id),
                action: "minutes.timestamp",
                entity: "minutes",
                entity_id: &document.minutes_id,
                summary: json!({
                    "revision": document.revision,
                    "sha256": sha256,
                    "first_sha256": document.sha256,
                    "signature_level": "B-T",
                }),
            },
        )?;
    }
    Ok(replaced)
}
