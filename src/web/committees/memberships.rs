//! A committee's seats: who sits, with which role, since and until when,
//! and who is whose substitute; seating one more, changing, removing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::seat_form::{SeatForm, SeatInput, parse, person};
use crate::auth::caller::need;
use crate::domain::registry::committees;
use crate::domain::registry::memberships::{self, Membership, MembershipPatch, NewMembership};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav};
use crate::web::paths::committee_href;
use crate::web::session::{Staff, StaffCan};
use crate::web::{COMMITTEES, DASHBOARD};

/// A seat as the committee's table shows it.
pub struct MembershipRow {
    pub name: String,
    pub member_href: String,
    pub organization: String,
    pub role: &'static str,
    pub dates: String,
    pub current: bool,
    /// "Suppléant de M. Jean DUPONT" / "Suppléé par Mme Anne MARTIN".
    pub pair: String,
    pub edit_href: String,
    pub remove_href: String,
}

fn dates(since: Option<NaiveDate>, until: Option<NaiveDate>) -> String {
    match (since, until) {
        (Some(s), Some(u)) => format!(
            "du {} au {}",
            crate::french::date(s),
            crate::french::date(u)
        ),
        (Some(s), None) => format!("depuis le {}", crate::french::date(s)),
        (None, Some(u)) => format!("jusqu’au {}", crate::french::date(u)),
        (None, None) => "sans limite".into(),
    }
}

pub fn seat_rows(committee_id: &str, seats: &[Membership]) -> Vec<MembershipRow> {
    let name_of = |id: &str| {
        seats
            .iter()
            .find(|m| m.id == id)
            .map(person)
            .unwrap_or_default()
    };
    seats
        .iter()
        .map(|m| {
            let base = format!("{}/membres/{}", committee_href(committee_id), m.id);
            MembershipRow {
                name: person(m),
                member_href: format!("/registre/membres/{}", m.member_id),
                organization: m
                    .member
                    .as_ref()
                    .and_then(|s| s.organization.as_ref())
                    .map(|o| o.acronym.clone().unwrap_or_else(|| o.name.clone()))
                    .unwrap_or_default(),
                role: m.role.label(),
                dates: dates(m.since, m.until),
                current: m.current,
                pair: match (&m.substitute_for, &m.substitute_id) {
                    (Some(titular), _) => format!("Suppléant de {}", name_of(titular)),
                    (None, Some(substitute)) => format!("Suppléé par {}", name_of(substitute)),
                    (None, None) => String::new(),
                },
                edit_href: format!("{base}/modifier"),
                remove_href: format!("{base}/retirer"),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "web/committees/seat.html")]
struct SeatPage {
    layout: Layout,
    committee: String,
    committee_href: String,
    seat_form: SeatForm,
    /// Editing one seat: whose it is (the member is not changed).
    editing: Option<String>,
}

async fn refused(
    state: &AppState,
    staff: &Staff,
    committee_id: &str,
    input: SeatInput,
    err: AppError,
    editing: Option<(String, String)>,
) -> WebResult<HttpResponse> {
    let errors = Errors::of(err)?;
    let (scope, id, today) = (
        staff.caller.scope(),
        committee_id.to_owned(),
        state.clock.today(),
    );
    let (committee, seats) = state
        .db
        .read(move |conn| {
            Ok((
                committees::get(conn, &scope, &id)?,
                memberships::memberships(conn, &scope, &id, today, false)?,
            ))
        })
        .await?;
    let href = committee_href(&committee.id);
    let action = editing.as_ref().map_or_else(
        || format!("{href}/membres"),
        |(seat, _)| format!("{href}/membres/{seat}/modifier"),
    );
    let mut seat_form = SeatForm::with(state, staff, &seats, input, action).await?;
    seat_form.errors = errors;
    seat_form.editing = editing.is_some();
    let title = if editing.is_some() {
        "Modifier un siège"
    } else {
        "Ajouter un membre au comité"
    };
    let page = SeatPage {
        layout: Layout::staff(
            staff,
            title,
            Nav::Committees,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Comités", COMMITTEES),
                (&committee.name, &href),
            ],
        ),
        committee: committee.name.clone(),
        committee_href: href.clone(),
        seat_form,
        editing: editing.map(|(_, name)| name),
    };
    Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
}

pub async fn add(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(input): CsrfForm<SeatInput>,
) -> WebResult<HttpResponse> {
    let committee_id = id.into_inner();
    ensure_committee(&state, &staff, &committee_id).await?;
    let parsed = match (form::text(&input.member_id), parse(&input)) {
        (None, _) => Err(AppError::validation("member_id", "choisissez un membre")),
        (_, Err(err)) => Err(err),
        (Some(member_id), Ok(parsed)) => Ok((member_id, parsed)),
    };
    let result = match parsed {
        Ok((member_id, p)) => {
            let new = NewMembership {
                member_id,
                role: p.role,
                since: p.since,
                until: p.until,
                substitute_for: p.substitute_for,
            };
            let (caller, now, cid) = (
                staff.caller.clone(),
                state.clock.now(),
                committee_id.clone(),
            );
            state
                .db
                .write(move |conn| {
                    memberships::add_membership(conn, &caller, now, &cid, new.clone())
                })
                .await
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(seat) => {
            staff.flash(format!("{} siège désormais au comité.", person(&seat)));
            Ok(layout::see_other(&format!(
                "{}#membres",
                committee_href(&committee_id)
            )))
        }
        Err(err) => refused(&state, &staff, &committee_id, input, err, None).await,
    }
}

async fn seat(
    state: &AppState,
    staff: &Staff,
    committee_id: &str,
    id: String,
) -> WebResult<Membership> {
    let (scope, today) = (staff.caller.scope(), state.clock.today());
    let seat = state
        .db
        .read(move |conn| memberships::membership(conn, &scope, &id, today))
        .await?;
    if seat.committee_id != committee_id {
        return Err(AppError::NotFound.into());
    }
    Ok(seat)
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
) -> WebResult<HttpResponse> {
    let (committee_id, seat_id) = path.into_inner();
    let seat = seat(&state, &staff, &committee_id, seat_id).await?;
    let (scope, today) = (staff.caller.scope(), state.clock.today());
    let cid = committee_id.clone();
    let (committee, seats) = state
        .db
        .read(move |conn| {
            Ok((
                committees::get(conn, &scope, &cid)?,
                memberships::memberships(conn, &scope, &cid, today, false)?,
            ))
        })
        .await?;
    let href = committee_href(&committee.id);
    let input = SeatInput {
        member_id: seat.member_id.clone(),
        role: seat.role.as_str().into(),
        since: seat.since.map(|d| d.to_string()).unwrap_or_default(),
        until: seat.until.map(|d| d.to_string()).unwrap_or_default(),
        substitute_for: seat.substitute_for.clone().unwrap_or_default(),
    };
    let others: Vec<Membership> = seats.into_iter().filter(|m| m.id != seat.id).collect();
    let action = format!("{href}/membres/{}/modifier", seat.id);
    let mut seat_form = SeatForm::with(&state, &staff, &others, input, action).await?;
    seat_form.editing = true;
    let page = SeatPage {
        layout: Layout::staff(
            &staff,
            "Modifier un siège",
            Nav::Committees,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Comités", COMMITTEES),
                (&committee.name, &href),
            ],
        ),
        committee: committee.name.clone(),
        committee_href: href.clone(),
        seat_form,
        editing: Some(person(&seat)),
    };
    Ok(layout::ok(&page)?)
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    CsrfForm(input): CsrfForm<SeatInput>,
) -> WebResult<HttpResponse> {
    let (committee_id, seat_id) = path.into_inner();
    let before = seat(&state, &staff, &committee_id, seat_id).await?;
    let result = match parse(&input) {
        Ok(p) => {
            let patch = MembershipPatch {
                role: Some(p.role),
                since: Some(p.since),
                until: Some(p.until),
                substitute_for: Some(p.substitute_for),
            };
            let (caller, now, id) = (staff.caller.clone(), state.clock.now(), before.id.clone());
            state
                .db
                .write(move |conn| {
                    memberships::update_membership(conn, &caller, now, &id, patch.clone())
                })
                .await
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(seat) => {
            staff.flash(format!("Siège de {} enregistré.", person(&seat)));
            Ok(layout::see_other(&format!(
                "{}#membres",
                committee_href(&committee_id)
            )))
        }
        Err(err) => {
            let editing = Some((before.id.clone(), person(&before)));
            refused(&state, &staff, &committee_id, input, err, editing).await
        }
    }
}

pub async fn remove(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (committee_id, seat_id) = path.into_inner();
    let seat = seat(&state, &staff, &committee_id, seat_id).await?;
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), seat.id.clone());
    state
        .db
        .write(move |conn| memberships::remove_membership(conn, &caller, now, &id))
        .await?;
    staff.flash(format!("{} ne siège plus au comité.", person(&seat)));
    Ok(layout::see_other(&format!(
        "{}#membres",
        committee_href(&committee_id)
    )))
}

/// 404 unless the committee is the caller's.
pub async fn ensure_committee(state: &AppState, staff: &Staff, id: &str) -> WebResult<()> {
    let (scope, id) = (staff.caller.scope(), id.to_owned());
    state
        .db
        .read(move |conn| committees::get(conn, &scope, &id))
        .await?;
    Ok(())
}
