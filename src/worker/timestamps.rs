//! Adds the missing timestamps: the compte-rendus signed while the
//! authority did not answer get a document timestamp once it does.

use std::sync::Arc;

use actix_web::web;

use crate::domain::minutes::timestamps;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// One pass: every signed PDF without a timestamp, while the authority
/// answers. How many were timestamped.
pub async fn run_once(state: &AppState) -> AppResult<usize> {
    if !state.signer.has_authority() {
        return Ok(0);
    }
    let pending = state.db.read(timestamps::pending).await?;
    let mut done = 0;
    for document in pending {
        let signer = Arc::clone(&state.signer);
        let content = document.content.clone();
        let stamped = web::block(move || signer.add_document_timestamp(&content)).await?;
        let stamped = match stamped {
            Ok(bytes) => bytes,
            Err(err) => {
                tracing::warn!(error = %err, "the time-stamping authority still does not answer");
                return Ok(done);
            }
        };
        let now = state.clock.now();
        let replaced = state
            .db
            .write(move |conn| timestamps::store(conn, now, &document, &stamped))
            .await?;
        if replaced {
            done += 1;
        }
    }
    if done > 0 {
        tracing::info!(count = done, "document timestamps added");
    }
    Ok::<_, AppError>(done)
}
