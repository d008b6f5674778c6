//! A meeting's agenda: add an item, change it, move it up or down,
//! remove it, while the meeting is in preparation or convened.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::context::{meeting, sub_layout};
use crate::auth::caller::need;
use crate::domain::meetings::agenda::{self, AgendaItem, AgendaItemPatch, NewAgendaItem};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout};
use crate::web::paths::meeting_href;
use crate::web::session::{Staff, StaffCan};

/// An item as the meeting's page lists it, with its controls.
pub struct AgendaLine {
    pub position: i32,
    pub title: String,
    pub presenter: String,
    pub annex: String,
    pub base: String,
    pub first: bool,
    pub last: bool,
    pub controls: bool,
}

impl AgendaLine {
    pub fn of_all(meeting_id: &str, items: Vec<AgendaItem>, controls: bool) -> Vec<Self> {
        let count = items.len();
        items
            .into_iter()
            .enumerate()
            .map(|(index, item)| Self {
                position: item.position,
                base: format!("{}/ordre-du-jour/{}", meeting_href(meeting_id), item.id),
                title: item.title,
                presenter: item.presenter.unwrap_or_default(),
                annex: item.annex_label.unwrap_or_default(),
                first: index == 0,
                last: index + 1 == count,
                controls,
            })
            .collect()
    }
}

/// The item form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub presenter: String,
    #[serde(default)]
    pub annex_label: String,
}

#[derive(Template)]
#[template(path = "web/meetings/agenda_item.html")]
struct ItemPage {
    layout: Layout,
    action: String,
    back: String,
    form: ItemForm,
    errors: Errors,
}

async fn item(
    state: &AppState,
    staff: &Staff,
    meeting_id: &str,
    id: String,
) -> WebResult<AgendaItem> {
    let scope = staff.caller.scope();
    let mid = meeting_id.to_owned();
    let items = state
        .db
        .read(move |conn| agenda::list(conn, &scope, &mid))
        .await?;
    Ok(items
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound)?)
}

async fn refused(
    state: &AppState,
    staff: &Staff,
    meeting_id: String,
    action: String,
    form: ItemForm,
    err: AppError,
) -> WebResult<HttpResponse> {
    let errors = Errors::of(err)?;
    let (meeting, committee) = meeting(state, staff, meeting_id).await?;
    let page = ItemPage {
        layout: sub_layout(staff, "Point de l’ordre du jour", &committee, &meeting),
        back: meeting_href(&meeting.id),
        action,
        form,
        errors,
    };
    Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
}

pub async fn add(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> WebResult<HttpResponse> {
    let meeting_id = id.into_inner();
    let input = NewAgendaItem {
        title: form.title.clone(),
        position: None,
        presenter: form::text(&form.presenter),
        annex_label: form::text(&form.annex_label),
    };
    let (caller, now, mid) = (staff.caller.clone(), state.clock.now(), meeting_id.clone());
    match state
        .db
        .write(move |conn| agenda::create(conn, &caller, now, &mid, input.clone()))
        .await
    {
        Ok(item) => {
            staff.flash(format!("Point {} ajouté à l’ordre du jour.", item.position));
            Ok(layout::see_other(&format!(
                "{}#ordre-du-jour",
                meeting_href(&meeting_id)
            )))
        }
        Err(err) => {
            let action = format!("{}/ordre-du-jour", meeting_href(&meeting_id));
            refused(&state, &staff, meeting_id, action, form, err).await
        }
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
) -> WebResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let item = item(&state, &staff, &meeting_id, item_id).await?;
    let (meeting, committee) = meeting(&state, &staff, meeting_id).await?;
    let page = ItemPage {
        layout: sub_layout(
            &staff,
            &format!("Point {} de l’ordre du jour", item.position),
            &committee,
            &meeting,
        ),
        back: meeting_href(&meeting.id),
        action: format!(
            "{}/ordre-du-jour/{}/modifier",
            meeting_href(&meeting.id),
            item.id
        ),
        form: ItemForm {
            title: item.title,
            presenter: item.presenter.unwrap_or_default(),
            annex_label: item.annex_label.unwrap_or_default(),
        },
        errors: Errors::default(),
    };
    Ok(layout::ok(&page)?)
}

async fn patch(
    state: &AppState,
    staff: &Staff,
    meeting_id: &str,
    item_id: String,
    patch: AgendaItemPatch,
) -> Result<AgendaItem, AppError> {
    let (caller, now) = (staff.caller.clone(), state.clock.now());
    let (mid, id) = (meeting_id.to_owned(), item_id);
    state
        .db
        .write(move |conn| {
            // The item must be the meeting's own (the address names both).
            if !agenda::list(conn, &caller.scope(), &mid)?
                .iter()
                .any(|item| item.id == id)
            {
                return Err(AppError::NotFound);
            }
            agenda::update(conn, &caller, now, &id, patch.clone())
        })
        .await
}

pub async fn update(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> WebResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let changes = AgendaItemPatch {
        title: Some(form.title.clone()),
        position: None,
        presenter: Some(form::text(&form.presenter)),
        annex_label: Some(form::text(&form.annex_label)),
    };
    match patch(&state, &staff, &meeting_id, item_id.clone(), changes).await {
        Ok(item) => {
            staff.flash(format!("Point {} enregistré.", item.position));
            Ok(layout::see_other(&format!(
                "{}#ordre-du-jour",
                meeting_href(&meeting_id)
            )))
        }
        Err(err) => {
            let action = format!(
                "{}/ordre-du-jour/{item_id}/modifier",
                meeting_href(&meeting_id)
            );
            refused(&state, &staff, meeting_id, action, form, err).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Shift {
    /// "monter" or "descendre".
    direction: String,
}

pub async fn shift(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    CsrfForm(shift): CsrfForm<Shift>,
) -> WebResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let current = item(&state, &staff, &meeting_id, item_id.clone()).await?;
    let position = match shift.direction.as_str() {
        "monter" => current.position - 1,
        "descendre" => current.position + 1,
        _ => return Err(AppError::BadRequest("direction inconnue".into()).into()),
    };
    let changes = AgendaItemPatch {
        position: Some(position.max(1)),
        ..AgendaItemPatch::default()
    };
    let item = patch(&state, &staff, &meeting_id, item_id, changes).await?;
    staff.flash(format!(
        "« {} » est désormais le point {}.",
        item.title, item.position
    ));
    Ok(layout::see_other(&format!(
        "{}#ordre-du-jour",
        meeting_href(&meeting_id)
    )))
}

pub async fn remove(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let current = item(&state, &staff, &meeting_id, item_id).await?;
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), current.id.clone());
    state
        .db
        .write(move |conn| agenda::delete(conn, &caller, now, &id))
        .await?;
    staff.flash(format!(
        "« {} » est retiré de l’ordre du jour.",
        current.title
    ));
    Ok(layout::see_other(&format!(
        "{}#ordre-du-jour",
        meeting_href(&meeting_id)
    )))
}
