//! The seat form of a committee: the member (from the registry), the role,
//! the dates, the titular a substitute stands in for; read back from what
//! was typed, so that a refused form shows again as it was.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::registry::committees::Committee;
use crate::domain::registry::members;
use crate::domain::registry::memberships::{Membership, MembershipRole};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Page;
use crate::store::members::MemberFilter;
use crate::web::error::WebResult;
use crate::web::form::{self, Errors};
use crate::web::paths::committee_href;
use crate::web::session::Staff;

/// "Mme Anne TITULAIRE", as the seat's member is shown.
pub fn person(m: &Membership) -> String {
    m.member.as_ref().map_or_else(String::new, |s| {
        let civility = s
            .civility
            .map(|c| format!("{} ", c.as_str()))
            .unwrap_or_default();
        format!("{civility}{} {}", s.first_name, s.last_name.to_uppercase())
    })
}

/// Members offered in the seat form's list (a structure's registry is a
/// few hundred people).
const MEMBER_CHOICES: i64 = 2000;

/// The seat form as typed, with its choices.
#[derive(Debug, Default, Deserialize)]
pub struct SeatInput {
    #[serde(default)]
    pub member_id: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub substitute_for: String,
}

#[derive(Default)]
pub struct SeatForm {
    pub action: String,
    pub input: SeatInput,
    pub members: Vec<(String, String)>,
    pub roles: Vec<(String, String)>,
    /// The seats a substitute may stand in for ("" = none).
    pub titulars: Vec<(String, String)>,
    pub errors: Errors,
    /// Changing a seat: its member stays.
    pub editing: bool,
}

impl SeatForm {
    /// The empty form of a committee's page.
    pub async fn blank(
        state: &AppState,
        staff: &Staff,
        committee: &Committee,
        seats: &[Membership],
    ) -> WebResult<Self> {
        let input = SeatInput {
            role: MembershipRole::Member.as_str().into(),
            ..SeatInput::default()
        };
        Self::with(
            state,
            staff,
            seats,
            input,
            format!("{}/membres", committee_href(&committee.id)),
        )
        .await
    }

    pub async fn with(
        state: &AppState,
        staff: &Staff,
        seats: &[Membership],
        input: SeatInput,
        action: String,
    ) -> WebResult<Self> {
        let scope = staff.caller.scope();
        let (registry, _) = state
            .db
            .read(move |conn| {
                members::list(
                    conn,
                    &scope,
                    &MemberFilter::default(),
                    Some(Page {
                        limit: MEMBER_CHOICES,
                        offset: 0,
                    }),
                )
            })
            .await?;
        let mut people = vec![(String::new(), "— Choisir un membre —".to_owned())];
        people.extend(registry.into_iter().map(|m| {
            let organization = m
                .organization
                .as_ref()
                .map(|o| format!(" ({})", o.acronym.clone().unwrap_or_else(|| o.name.clone())))
                .unwrap_or_default();
            (
                m.id,
                format!(
                    "{} {}{organization}",
                    m.last_name.to_uppercase(),
                    m.first_name
                ),
            )
        }));
        let mut titulars = vec![(
            String::new(),
            "Aucun : titulaire ou membre sans suppléant".to_owned(),
        )];
        titulars.extend(
            seats
                .iter()
                .filter(|m| m.substitute_for.is_none() && m.current)
                .map(|m| (m.id.clone(), format!("Suppléant de {}", person(m)))),
        );
        Ok(Self {
            action,
            input,
            members: people,
            roles: MembershipRole::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
                .collect(),
            titulars,
            errors: Errors::default(),
            editing: false,
        })
    }
}

/// A date field: blank is none; anything else must be a date.
fn date_field(
    value: &str,
    field: &str,
    errors: &mut Vec<crate::error::FieldError>,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| {
            errors.push(crate::error::FieldError::new(
                field,
                "date invalide (jj/mm/aaaa)",
            ))
        })
        .ok()
}

pub struct Parsed {
    pub role: MembershipRole,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub substitute_for: Option<String>,
}

pub fn parse(input: &SeatInput) -> Result<Parsed, AppError> {
    let mut errors = Vec::new();
    let role = MembershipRole::parse(&input.role);
    if role.is_none() {
        errors.push(crate::error::FieldError::new("role", "choisissez un rôle"));
    }
    let since = date_field(&input.since, "since", &mut errors);
    let until = date_field(&input.until, "until", &mut errors);
    match role {
        Some(role) if errors.is_empty() => Ok(Parsed {
            role,
            since,
            until,
            substitute_for: form::text(&input.substitute_for),
        }),
        _ => Err(AppError::Validation(errors)),
    }
}
