//! Who a ProConnect identity signs in as. Accounts stay made by clu: the
//! identity is linked, at its first sign-in, to the active user of the
//! same e-mail; from then on the link (issuer and `sub`), not the e-mail,
//! decides — so an address that changed at the provider cannot open
//! another user's account, and a user linked to one identity is refused
//! to any other. Each refusal is in the audit log, as is each new link.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::db::DbConn;
use crate::domain::audit::{self, Actor, Event};
use crate::error::AppResult;
use crate::store;
use crate::store::oidc::{IdentityRow, RequestRow};
use crate::store::users::UserRow;

/// An authorization request unanswered after this long is void.
pub const REQUEST_MINUTES: i64 = 10;

/// What the provider vouched for, as the rules need it.
#[derive(Debug, Clone)]
pub struct Vouched {
    pub issuer: String,
    pub subject: String,
    /// Lowercased.
    pub email: String,
    pub siret: Option<String>,
}

/// Why a vouched identity does not sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No clu account has this e-mail (and no link names this identity).
    Unknown,
    /// The account is disabled.
    Disabled,
    /// The account of this e-mail is linked to another identity.
    LinkedElsewhere,
}

impl Refusal {
    fn reason(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Disabled => "disabled",
            Self::LinkedElsewhere => "linked_to_another_identity",
        }
    }
}

/// Keeps a new authorization request (and forgets the stale ones).
pub fn request_sent(conn: &mut DbConn, row: RequestRow) -> AppResult<()> {
    let stale = row.created_at - Duration::minutes(REQUEST_MINUTES);
    store::oidc::prune_requests(conn, stale)?;
    store::oidc::insert_request(conn, &row)?;
    Ok(())
}

/// The request `state` answers, taken so that no other answer can use it;
/// none when unknown, already answered, or void.
pub fn answer_received(
    conn: &mut DbConn,
    state: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<RequestRow>> {
    let row = store::oidc::take_request(conn, state)?;
    Ok(row.filter(|r| r.created_at >= (now - Duration::minutes(REQUEST_MINUTES)).naive_utc()))
}

fn refused(
    conn: &mut DbConn,
    vouched: &Vouched,
    user: Option<&UserRow>,
    now: DateTime<Utc>,
    refusal: Refusal,
) -> AppResult<Result<UserRow, Refusal>> {
    tracing::warn!(reason = refusal.reason(), "ProConnect sign-in refused");
    audit::record(
        conn,
        &Actor {
            id: user.map(|u| u.id.clone()),
            email: Some(vouched.email.clone()),
        },
        now,
        Event {
            structure_id: user.and_then(|u| u.structure_id.as_deref()),
            action: "user.proconnect_refused",
            entity: "oidc_identity",
            entity_id: &vouched.subject,
            summary: json!({
                "reason": refusal.reason(),
                "issuer": vouched.issuer,
                "email": vouched.email,
                "siret": vouched.siret,
                "user_id": user.map(|u| u.id.clone()),
            }),
        },
    )?;
    Ok(Err(refusal))
}

/// The user `vouched` signs in as, the link made at the first sign-in and
/// the sign-in recorded; or why not (audited). One transaction: a refusal
/// leaves its audit event and nothing else.
pub fn sign_in(
    conn: &mut DbConn,
    vouched: &Vouched,
    now: DateTime<Utc>,
) -> AppResult<Result<UserRow, Refusal>> {
    let at = now.naive_utc();
    let linked = store::oidc::find_by_subject(conn, &vouched.issuer, &vouched.subject)?;
    let user = match linked {
        Some(link) => {
            let Some(user) = store::users::find_any(conn, &link.user_id)? else {
                return refused(conn, vouched, None, now, Refusal::Unknown);
            };
            if !user.active {
                return refused(conn, vouched, Some(&user), now, Refusal::Disabled);
            }
            store::oidc::identity_used(
                conn,
                &vouched.issuer,
                &vouched.subject,
                &vouched.email,
                at,
            )?;
            user
        }
        None => {
            let Some(user) = store::users::find_by_email(conn, &vouched.email)? else {
                return refused(conn, vouched, None, now, Refusal::Unknown);
            };
            if store::oidc::find_by_user(conn, &vouched.issuer, &user.id)?.is_some() {
                return refused(conn, vouched, Some(&user), now, Refusal::LinkedElsewhere);
            }
            if !user.active {
                return refused(conn, vouched, Some(&user), now, Refusal::Disabled);
            }
            store::oidc::insert_identity(
                conn,
                &IdentityRow {
                    issuer: vouched.issuer.clone(),
                    subject: vouched.subject.clone(),
                    user_id: user.id.clone(),
                    email: vouched.email.clone(),
                    created_at: at,
                    last_used_at: at,
                },
            )?;
            audit::record(
                conn,
                &Actor {
                    id: Some(user.id.clone()),
                    email: Some(user.email.clone()),
                },
                now,
                Event {
                    structure_id: user.structure_id.as_deref(),
                    action: "user.proconnect_linked",
                    entity: "oidc_identity",
                    entity_id: &vouched.subject,
                    summary: json!({
                        "issuer": vouched.issuer,
                        "user_id": user.id,
                        "siret": vouched.siret,
                    }),
                },
            )?;
            user
        }
    };
    store::users::record_login(conn, &user.id, at)?;
    Ok(Ok(UserRow {
        last_login_at: Some(at),
        ..user
    }))
}
