//! The convocation letter, for members who get their invitation by post:
//! one printable page per member, from `templates/documents/`.

use serde::Serialize;

use super::print::{self, MeetingContext, MemberContext};
use crate::db::DbConn;
use crate::domain::Found;
use crate::error::{AppError, AppResult};
use crate::store::{self, Scope};
use crate::templates::Templates;

#[derive(Serialize)]
struct Letter {
    member: MemberContext,
}

#[derive(Serialize)]
struct Signatory {
    delegation: String,
    title: String,
    name: String,
}

/// The letters of a meeting, as the templates print them.
#[derive(Serialize)]
pub struct Letters {
    #[serde(flatten)]
    pub meeting: MeetingContext,
    letter_date: String,
    signatory: Option<Signatory>,
    letters: Vec<Letter>,
}

/// The letters of the meeting, as HTML: to `member_id`, or to every
/// current member of the committee (substitutes included: they may stand
/// in).
pub fn render(
    conn: &mut DbConn,
    templates: &Templates,
    scope: &Scope,
    meeting_id: &str,
    member_id: Option<&str>,
    today: chrono::NaiveDate,
) -> AppResult<String> {
    let data = letters(conn, scope, meeting_id, member_id, today)?;
    templates
        .render("documents/convocation.html.hbs", &data)
        .map_err(|e| AppError::internal(format!("{e:?}")))
}

/// What the letters print (see `render`).
pub fn letters(
    conn: &mut DbConn,
    scope: &Scope,
    meeting_id: &str,
    member_id: Option<&str>,
    today: chrono::NaiveDate,
) -> AppResult<Letters> {
    let meeting = store::meetings::find(conn, scope, meeting_id).found()?;
    let structure_scope = Scope::Structure(meeting.structure_id.clone());
    let organization_name =
        |organization: Option<(String, Option<String>)>| organization.map(|(name, _)| name);
    let mut letters = Vec::new();
    match member_id {
        Some(id) => {
            let (member, organization) =
                store::members::find(conn, &structure_scope, id).found()?;
            letters.push(Letter {
                member: print::member_context(&member, organization_name(organization)),
            });
        }
        None => {
            for (seat, member, organization) in
                store::committees::memberships_of(conn, &meeting.committee_id)?
            {
                if crate::domain::registry::memberships::is_current(&seat, today)
                    && member.archived_at.is_none()
                {
                    letters.push(Letter {
                        member: print::member_context(&member, organization_name(organization)),
                    });
                }
            }
        }
    }
    let signatory = match &meeting.chair_member_id {
        Some(id) => {
            let (chair, _) = store::members::find(conn, &structure_scope, id).found()?;
            Some(Signatory {
                delegation: "Par délégation".into(),
                title: chair.function.clone().unwrap_or_default(),
                name: format!("{} {}", chair.first_name, chair.last_name.to_uppercase()),
            })
        }
        None => None,
    };
    Ok(Letters {
        meeting: print::meeting_context(conn, &meeting)?,
        letter_date: crate::french::date(today),
        signatory,
        letters,
    })
}
