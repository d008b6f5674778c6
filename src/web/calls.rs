//! Every domain function the web layer calls, in one place: when the
//! domain's modules move, this is the file to follow them. No rule here,
//! only calls and the shaping of their answers for the templates.

use chrono::{DateTime, Utc};

use crate::auth::Caller;
use crate::domain;
use crate::domain::accounts::login::Credentials;
use crate::domain::accounts::users::User;
use crate::domain::meetings::attendance::AttendanceCounts;
use crate::domain::meetings::{Meeting, MeetingStatus};
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::Page;

/// Signs in with the API's own login (same throttle, same answer for an
/// unknown e-mail and a wrong password); returns the user id and token
/// version the session is bound to.
pub async fn login(
    state: &AppState,
    email: String,
    password: String,
    client: String,
) -> AppResult<(String, i32)> {
    let user =
        crate::service::auth::sign_in(state, Credentials { email, password }, &client).await?;
    Ok((user.id, user.token_version))
}

/// What the header shows of the user's structure.
#[derive(Debug, Clone)]
pub struct StructureHeader {
    /// "Préfecture de la Haute-Marne".
    pub name: String,
    /// "Secrétariat Général Commun Départemental".
    pub service_name: String,
}

/// The caller's structure, for the header; administrators have none.
pub async fn structure_header(
    state: &AppState,
    caller: &Caller,
) -> AppResult<Option<StructureHeader>> {
    let Some(id) = caller.structure_id.clone() else {
        return Ok(None);
    };
    let scope = caller.scope();
    let structure = state
        .db
        .read(move |conn| domain::accounts::structures::get(conn, &scope, &id))
        .await?;
    Ok(Some(StructureHeader {
        name: structure.name,
        service_name: structure.service_name,
    }))
}

/// The signed-in user's account.
pub async fn account(state: &AppState, caller: &Caller) -> AppResult<User> {
    let id = caller.user_id.clone();
    let scope = caller.scope();
    state
        .db
        .read(move |conn| domain::accounts::users::get(conn, &scope, &id))
        .await
}

/// A meeting to come, with its committee and who answered what.
pub struct Upcoming {
    pub meeting: Meeting,
    pub committee: String,
    pub invited: i64,
    pub counts: AttendanceCounts,
    /// Invitations that failed to go.
    pub failed: usize,
}

/// A meeting held, with its committee (its status says where its minutes are).
pub struct Past {
    pub meeting: Meeting,
    pub committee: String,
}

/// What the dashboard shows.
pub struct Overview {
    /// Not cancelled, not over, soonest first.
    pub upcoming: Vec<Upcoming>,
    /// Over and not cancelled, most recent first.
    pub past: Vec<Past>,
    pub committees: i64,
    /// Open actions past their due date (the longest overdue), and how many.
    pub overdue: Vec<(domain::actions::Action, String)>,
    pub overdue_total: i64,
}

/// The meetings the caller may see, to come and past, at most `limit` of
/// each, with the answers to those to come.
pub async fn overview(
    state: &AppState,
    caller: &Caller,
    now: DateTime<Utc>,
    limit: usize,
) -> AppResult<Overview> {
    use crate::store::meetings::When;
    let scope = caller.scope();
    let page = Page {
        limit: limit as i64,
        offset: 0,
    };
    state
        .db
        .read(move |conn| {
            let (_, committees) = domain::registry::committees::list(
                conn,
                &scope,
                Page {
                    limit: 1,
                    offset: 0,
                },
            )?;
            let (soon, _) =
                domain::meetings::in_scope(conn, &scope, When::Upcoming(now.naive_utc()), page)?;
            let failed = crate::store::outbox::failed_invitations(conn, &scope, now.naive_utc())?;
            let mut upcoming = Vec::with_capacity(soon.len());
            for (meeting, committee) in soon {
                if meeting.status == MeetingStatus::Cancelled {
                    continue;
                }
                let attendance = domain::meetings::attendance::list(conn, &scope, &meeting.id)?;
                upcoming.push(Upcoming {
                    failed: failed.iter().filter(|id| **id == meeting.id).count(),
                    meeting,
                    committee,
                    invited: attendance.total,
                    counts: attendance.counts,
                });
            }
            let (before, _) =
                domain::meetings::in_scope(conn, &scope, When::Past(now.naive_utc()), page)?;
            let past = before
                .into_iter()
                .filter(|(m, _)| m.status != MeetingStatus::Cancelled)
                .map(|(meeting, committee)| Past { meeting, committee })
                .collect();
            let today = crate::clock::paris_date(now);
            let (overdue, overdue_total) =
                domain::actions::overdue(conn, &scope, today, limit as i64)?;
            Ok(Overview {
                upcoming,
                past,
                committees,
                overdue,
                overdue_total,
            })
        })
        .await
}
