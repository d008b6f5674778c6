//! What the pages around the minutes read: the signatory's queue, and the
//! revisions of a meeting's minutes with their fingerprints.

use chrono::{DateTime, Utc};

use super::model::{Minutes, view};
use crate::db::DbConn;
use crate::domain::Found;
use crate::error::AppResult;
use crate::store::{self, Scope};

/// Minutes waiting for a signature.
#[derive(Debug, Clone)]
pub struct AwaitingSignature {
    pub meeting_id: String,
    pub meeting_title: String,
    pub committee: String,
    pub starts_at: DateTime<Utc>,
    pub revision: i32,
    pub submitted_by_name: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// The submitted minutes of the scope, oldest submission first.
pub fn awaiting_signature(conn: &mut DbConn, scope: &Scope) -> AppResult<Vec<AwaitingSignature>> {
    Ok(store::minutes::submitted_in(conn, scope)?
        .into_iter()
        .map(|(minutes, meeting, committee)| AwaitingSignature {
            meeting_id: meeting.id,
            meeting_title: meeting.title,
            committee,
            starts_at: meeting.starts_at.and_utc(),
            revision: minutes.revision,
            submitted_by_name: minutes.submitted_by_name,
            submitted_at: minutes.submitted_at.map(|t| t.and_utc()),
        })
        .collect())
}

/// Every revision of a meeting's minutes, the latest first (none before
/// the first save).
pub fn revisions(conn: &mut DbConn, scope: &Scope, meeting_id: &str) -> AppResult<Vec<Minutes>> {
    let meeting = store::meetings::find(conn, scope, meeting_id).found()?;
    store::minutes::revisions(conn, &meeting.id)?
        .into_iter()
        .map(|row| view(conn, row))
        .collect()
}
