//! Conditional reads: an answer made only of a structure's data carries an
//! `ETag` built from the structure's revision (which moves with every
//! audited change of its data, `domain::audit::record`), the caller and
//! the URL. A request whose `If-None-Match` names the current tag is
//! answered `304 Not Modified` after reading that one number, not the
//! rows; either way, one trip to the database's thread pool.
//!
//! The revision is read before the rows, so a change committed in between
//! makes the tag older than the answer, never newer: the next conditional
//! request then reads everything again.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::auth::Role;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::state::AppState;

/// Reads with `work` and answers its JSON with an `ETag`, or `304` when
/// the client's copy is current. Administrators (every structure) get the
/// plain answer.
pub async fn json<T, F>(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    work: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Serialize + Send + 'static,
{
    let structure = match (&caller.role, &caller.structure_id) {
        (Role::Admin, _) | (_, None) => None,
        (_, Some(id)) => Some(id.clone()),
    };
    let Some(structure) = structure else {
        let body = state.db.read(work).await?;
        return Ok(HttpResponse::Ok().json(body));
    };
    let key = key(state.session_key.signing(), caller, req);
    let held = held_tags(req);
    let (tag, body) = state
        .db
        .read(move |conn| {
            let revision = crate::domain::audit::revision(conn, &structure)?;
            let tag = format!("W/\"{revision}-{key}\"");
            // `*` is not honoured: it would answer 304 before knowing
            // the resource exists; it gets the full answer (or the 404).
            if held.iter().any(|t| weak_eq(t, &tag)) {
                return Ok((tag, None));
            }
            Ok((tag, Some(work(conn)?)))
        })
        .await?;
    let mut answer = match body {
        None => HttpResponse::NotModified(),
        Some(_) => HttpResponse::Ok(),
    };
    answer
        .insert_header((header::ETAG, tag))
        // Kept, but asked again each time: a change must show at once.
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::VARY, "Authorization"));
    Ok(match body {
        None => answer.finish(),
        Some(body) => answer.json(body),
    })
}

/// What the tag adds to the revision: who asks, for what, keyed with a
/// secret of the installation (nobody can make a tag clu would accept).
fn key(secret: &[u8], caller: &Caller, req: &HttpRequest) -> String {
    let mut hash = Sha256::new();
    hash.update(secret);
    for part in [
        caller.user_id.as_str(),
        caller.role.as_str(),
        req.path(),
        req.query_string(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()[..9]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The entity tags of `If-None-Match`, at most a few dozen.
fn held_tags(req: &HttpRequest) -> Vec<String> {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v: &HeaderValue| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .take(32)
        .collect()
}

/// The weak comparison of RFC 9110 (§ 8.8.3.2): `W/` aside, same tag.
fn weak_eq(a: &str, b: &str) -> bool {
    a.trim_start_matches("W/") == b.trim_start_matches("W/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_weakly() {
        assert!(weak_eq("W/\"3-ab\"", "W/\"3-ab\""));
        assert!(weak_eq("\"3-ab\"", "W/\"3-ab\""));
        assert!(!weak_eq("W/\"4-ab\"", "W/\"3-ab\""));
    }

    #[test]
    fn reads_every_tag_held() {
        let req = actix_web::test::TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "W/\"1-a\", \"2-b\""))
            .to_http_request();
        assert_eq!(held_tags(&req), ["W/\"1-a\"", "\"2-b\""]);
    }
}
