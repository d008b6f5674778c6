//! What every page of a meeting starts from: the meeting and its
//! committee in the caller's scope (404 otherwise), and the breadcrumb
//! that leads back to them.

use crate::domain::meetings::{self, Meeting};
use crate::domain::registry::committees::{self, Committee};
use crate::state::AppState;
use crate::web::error::WebResult;
use crate::web::layout::{Layout, Nav};
use crate::web::paths::{committee_href, meeting_href};
use crate::web::session::Staff;
use crate::web::{COMMITTEES, DASHBOARD};

/// The meeting and its committee, in the caller's scope.
pub async fn meeting(
    state: &AppState,
    staff: &Staff,
    id: String,
) -> WebResult<(Meeting, Committee)> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| {
            let meeting = meetings::get(conn, &scope, &id)?;
            let committee = committees::get(conn, &scope, &meeting.committee_id)?;
            Ok((meeting, committee))
        })
        .await?)
}

/// The breadcrumb above a meeting's own pages.
pub fn trail(committee: &Committee, meeting: &Meeting) -> [(String, String); 4] {
    [
        ("Tableau de bord".into(), DASHBOARD.into()),
        ("Comités".into(), COMMITTEES.into()),
        (committee.name.clone(), committee_href(&committee.id)),
        (meeting.title.clone(), meeting_href(&meeting.id)),
    ]
}

/// A meeting's sub-page layout.
pub fn sub_layout(staff: &Staff, title: &str, committee: &Committee, meeting: &Meeting) -> Layout {
    let trail = trail(committee, meeting);
    let trail: Vec<(&str, &str)> = trail
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Layout::staff(staff, title, Nav::Meetings, &trail)
}
