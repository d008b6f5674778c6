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
}

/// Committees looked at, and meetings per committee, for the dashboard.
const COMMITTEES: i64 = 100;
const MEETINGS_PER_COMMITTEE: i64 = 20;

/// The meetings the caller may see, to come and past, at most `limit` of each.
pub async fn overview(
    state: &AppState,
    caller: &Caller,
    now: DateTime<Utc>,
    limit: usize,
) -> AppResult<Overview> {
    let scope = caller.scope();
    state
        .db
        .read(move |conn| {
            let (committees, committee_count) = domain::registry::committees::list(
                conn,
                &scope,
                Page {
                    limit: COMMITTEES,
                    offset: 0,
                },
            )?;
            let mut upcoming = Vec::new();
            let mut past = Vec::new();
            for committee in committees {
                // Most recent first: the meetings to come are at the top.
                let (meetings, _) = domain::meetings::list(
                    conn,
                    &scope,
                    &committee.id,
                    Page {
                        limit: MEETINGS_PER_COMMITTEE,
                        offset: 0,
                    },
                )?;
                for meeting in meetings {
                    if meeting.status == MeetingStatus::Cancelled {
                        continue;
                    }
                    if meeting.ends_at < now {
                        past.push(Past {
                            meeting,
                            committee: committee.name.clone(),
                        });
                        continue;
                    }
                    let attendance = domain::meetings::attendance::list(conn, &scope, &meeting.id)?;
                    upcoming.push(Upcoming {
                        meeting,
                        committee: committee.name.clone(),
                        invited: attendance.total,
                        counts: attendance.counts,
                    });
                }
            }
            upcoming.sort_by_key(|u| u.meeting.starts_at);
            upcoming.truncate(limit);
            past.sort_by_key(|p| std::cmp::Reverse(p.meeting.starts_at));
            past.truncate(limit);
            Ok(Overview {
                upcoming,
                past,
                committees: committee_count,
            })
        })
        .await
}
