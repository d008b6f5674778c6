//! Creating a meeting in a committee and editing it: the date and hours
//! typed in Paris time, the chair among the committee's members, errors
//! beside their fields, and a stale save shown beside what was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::context::{meeting, sub_layout};
use crate::auth::caller::need;
use crate::domain::meetings::{
    self, Meeting, MeetingMode, MeetingPatch, MeetingStatus, NewMeeting,
};
use crate::domain::registry::committees::{self, Committee};
use crate::domain::registry::memberships;
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav};
use crate::web::paths::committee_href;
use crate::web::paths::meeting_href;
use crate::web::session::{Staff, StaffCan};
use crate::web::{COMMITTEES, DASHBOARD};

/// The meeting form as typed: a date and two times in Paris time.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    chair_member_id: String,
    #[serde(default)]
    version: String,
}

impl MeetingForm {
    fn of(meeting: &Meeting) -> Self {
        let local = |t| crate::french::in_paris(t);
        Self {
            title: meeting.title.clone(),
            date: local(meeting.starts_at).format("%Y-%m-%d").to_string(),
            start: local(meeting.starts_at).format("%H:%M").to_string(),
            end: local(meeting.ends_at).format("%H:%M").to_string(),
            location: meeting.location.clone().unwrap_or_default(),
            mode: meeting.mode.as_str().into(),
            chair_member_id: meeting.chair_member_id.clone().unwrap_or_default(),
            version: form::version(meeting.updated_at),
        }
    }

    /// The instants and the mode, or the fields at fault.
    fn parsed(
        &self,
    ) -> Result<
        (
            chrono::DateTime<chrono::Utc>,
            chrono::DateTime<chrono::Utc>,
            MeetingMode,
        ),
        AppError,
    > {
        let mut errors = Vec::new();
        let starts = crate::french::paris_instant(&self.date, &self.start);
        let ends = crate::french::paris_instant(&self.date, &self.end);
        if chrono::NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").is_err() {
            errors.push(FieldError::new("date", "indiquez la date de la réunion"));
        } else {
            if starts.is_none() {
                errors.push(FieldError::new(
                    "start",
                    "indiquez l’heure de début (hh:mm)",
                ));
            }
            if ends.is_none() {
                errors.push(FieldError::new("end", "indiquez l’heure de fin (hh:mm)"));
            }
        }
        let mode = MeetingMode::parse(&self.mode);
        if mode.is_none() {
            errors.push(FieldError::new("mode", "choisissez la modalité"));
        }
        match (starts, ends, mode) {
            (Some(s), Some(e), Some(m)) if errors.is_empty() => Ok((s, e, m)),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

#[derive(Template)]
#[template(path = "web/meetings/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    form: MeetingForm,
    modes: Vec<(String, String)>,
    chairs: Vec<(String, String)>,
    errors: Errors,
    /// The meeting as someone else saved it meanwhile (a stale save).
    current: Option<MeetingForm>,
    convened: bool,
}

impl FormPage {
    /// The domain's field names, shown on the form's own fields.
    fn error(&self, field: &str) -> String {
        match field {
            "date" => [self.errors.on("date"), self.errors.on("starts_at")]
                .join(" ")
                .trim()
                .to_owned(),
            "end" => [self.errors.on("end"), self.errors.on("ends_at")]
                .join(" ")
                .trim()
                .to_owned(),
            other => self.errors.on(other),
        }
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    committee: &Committee,
    title: &str,
    action: String,
    form: MeetingForm,
) -> WebResult<FormPage> {
    let (scope, id, today) = (
        staff.caller.scope(),
        committee.id.clone(),
        state.clock.today(),
    );
    let seats = state
        .db
        .read(move |conn| memberships::memberships(conn, &scope, &id, today, true))
        .await?;
    let mut chairs = vec![(String::new(), "— À désigner —".to_owned())];
    chairs.extend(seats.into_iter().filter_map(|m| {
        let s = m.member?;
        Some((
            m.member_id,
            format!(
                "{} {} ({})",
                s.first_name,
                s.last_name.to_uppercase(),
                m.role.label()
            ),
        ))
    }));
    let href = committee_href(&committee.id);
    Ok(FormPage {
        layout: Layout::staff(
            staff,
            title,
            Nav::Meetings,
            &[
                ("Tableau de bord", DASHBOARD),
                ("Comités", COMMITTEES),
                (&committee.name, &href),
            ],
        ),
        action,
        form,
        modes: MeetingMode::ALL
            .iter()
            .map(|m| (m.as_str().to_owned(), m.label().to_owned()))
            .collect(),
        chairs,
        errors: Errors::default(),
        current: None,
        convened: false,
    })
}

async fn committee(state: &AppState, staff: &Staff, id: String) -> WebResult<Committee> {
    let scope = staff.caller.scope();
    Ok(state
        .db
        .read(move |conn| committees::get(conn, &scope, &id))
        .await?)
}

pub async fn new_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let committee = committee(&state, &staff, id.into_inner()).await?;
    let form = MeetingForm {
        title: format!("Réunion du {}", committee.name),
        start: "14:00".into(),
        end: "16:00".into(),
        mode: MeetingMode::InPerson.as_str().into(),
        ..MeetingForm::default()
    };
    let action = format!("{}/reunions/nouvelle", committee_href(&committee.id));
    let page = form_page(&state, &staff, &committee, "Nouvelle réunion", action, form).await?;
    Ok(layout::ok(&page)?)
}

pub async fn create(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<MeetingForm>,
) -> WebResult<HttpResponse> {
    let committee = committee(&state, &staff, id.into_inner()).await?;
    let result = match form.parsed() {
        Ok((starts_at, ends_at, mode)) => {
            let input = NewMeeting {
                title: form.title.clone(),
                starts_at,
                ends_at,
                location: form::text(&form.location),
                mode,
                chair_member_id: form::text(&form.chair_member_id),
            };
            let (caller, now, cid) = (
                staff.caller.clone(),
                state.clock.now(),
                committee.id.clone(),
            );
            state
                .db
                .write(move |conn| meetings::create(conn, &caller, now, &cid, input.clone()))
                .await
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(meeting) => {
            staff.flash("Réunion créée. Composez son ordre du jour, puis envoyez les invitations.");
            Ok(layout::see_other(&meeting_href(&meeting.id)))
        }
        Err(err) => {
            let action = format!("{}/reunions/nouvelle", committee_href(&committee.id));
            let mut page =
                form_page(&state, &staff, &committee, "Nouvelle réunion", action, form).await?;
            page.errors = Errors::of(err)?;
            Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let action = format!("{}/modifier", meeting_href(&meeting.id));
    let mut page = form_page(
        &state,
        &staff,
        &committee,
        "Modifier la réunion",
        action,
        MeetingForm::of(&meeting),
    )
    .await?;
    page.layout = sub_layout(&staff, "Modifier la réunion", &committee, &meeting);
    page.convened = meeting.status == MeetingStatus::Convened;
    Ok(layout::ok(&page)?)
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<MeetingForm>,
) -> WebResult<HttpResponse> {
    let (before, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let result = match form.parsed() {
        Ok((starts_at, ends_at, mode)) => {
            let patch = MeetingPatch {
                title: Some(form.title.clone()),
                starts_at: Some(starts_at),
                ends_at: Some(ends_at),
                location: Some(form::text(&form.location)),
                mode: Some(mode),
                chair_member_id: Some(form::text(&form.chair_member_id)),
            };
            let (caller, notices, mid) = (staff.caller.clone(), state.notices(), before.id.clone());
            let seen = form::version_of(&form.version);
            state
                .db
                .write(move |conn| {
                    meetings::update(conn, &caller, &notices, &mid, patch.clone(), seen)
                })
                .await
        }
        Err(err) => Err(err),
    };
    let action = format!("{}/modifier", meeting_href(&before.id));
    match result {
        Ok(meeting) => {
            state.outbox_wake.notify_one();
            staff.flash(if meeting.sequence > before.sequence {
                "Réunion enregistrée ; les invités sont prévenus du changement."
            } else {
                "Réunion enregistrée."
            });
            Ok(layout::see_other(&meeting_href(&meeting.id)))
        }
        Err(AppError::Stale) => {
            // Someone saved first: their version beside what was typed,
            // which stays in the fields; the new version lets a resubmit save.
            let (current, _) = meeting(&state, &staff, before.id.clone()).await?;
            let current = MeetingForm::of(&current);
            let typed = MeetingForm {
                version: current.version.clone(),
                ..form
            };
            let mut page = form_page(
                &state,
                &staff,
                &committee,
                "Modifier la réunion",
                action,
                typed,
            )
            .await?;
            page.layout = sub_layout(&staff, "Modifier la réunion", &committee, &before);
            page.current = Some(current);
            Ok(layout::page(StatusCode::CONFLICT, &page)?)
        }
        Err(err) => {
            let mut page = form_page(
                &state,
                &staff,
                &committee,
                "Modifier la réunion",
                action,
                form,
            )
            .await?;
            page.layout = sub_layout(&staff, "Modifier la réunion", &committee, &before);
            page.errors = Errors::of(err)?;
            Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
    }
}
