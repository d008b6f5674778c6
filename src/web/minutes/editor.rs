//! The minutes editor: the opening, one section per agenda item (what was
//! said, the users' remarks), the notes after the meeting, the closing
//! time. "Enregistrer" saves the draft; with htmx the form also saves a
//! few seconds after typing stops and says when. A save made from a stale
//! page is refused, the typed text kept and the saved text shown beside
//! it. The same page shows, once the minutes are submitted or signed, where
//! they stand.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::minutes_href;
use super::signed;
use crate::auth::caller::need;
use crate::domain::meetings::agenda::AgendaItem;
use crate::domain::meetings::{self, Meeting, MeetingStatus};
use crate::domain::minutes::{self, Minutes, MinutesInput, MinutesItem, MinutesStatus};
use crate::domain::registry::committees::Committee;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout};
use crate::web::meetings::context::{meeting, sub_layout};
use crate::web::session::{Staff, StaffCan};

/// The minutes' text is long: up to 50,000 characters per section.
const EDITOR_LIMIT: usize = 1024 * 1024;

pub struct Section {
    pub id: String,
    pub number: i32,
    pub title: String,
    pub body: String,
    pub remarks: String,
    pub body_error: String,
    pub remarks_error: String,
    /// On a stale save: the text saved meanwhile, where it differs.
    pub saved_body: Option<String>,
    pub saved_remarks: Option<String>,
}

pub struct CommentLine {
    pub by: String,
    pub at: String,
    pub comment: String,
}

/// What was saved meanwhile, where it differs from what was typed.
#[derive(Default)]
pub struct Saved {
    pub opening: Option<String>,
    pub post_meeting_notes: Option<String>,
    pub closing_time: Option<String>,
}

#[derive(Template)]
#[template(path = "web/minutes/editor.html")]
pub struct EditorPage {
    pub layout: Layout,
    pub href: String,
    pub version: String,
    pub revision: i32,
    pub opening: String,
    pub post_meeting_notes: String,
    pub closing_time: String,
    pub sections: Vec<Section>,
    pub errors: Errors,
    /// Set when the save was refused as stale.
    pub saved: Option<Saved>,
    /// Whether a saved text shows beside the opening, beside the notes.
    pub opening_beside: bool,
    pub after_beside: bool,
    pub comments: Vec<CommentLine>,
    pub last_saved: String,
}

/// The answer to an automatic save: the message of the status line, and
/// the new version for the form.
#[derive(Template)]
#[template(path = "web/minutes/saved.html")]
struct SavedFragment {
    message: String,
    version: Option<String>,
}

/// The minutes, their agenda, and whether a draft is stored yet.
async fn load(
    state: &AppState,
    staff: &Staff,
    meeting_id: &str,
) -> WebResult<(Minutes, Vec<AgendaItem>, bool)> {
    let (scope, id, now) = (
        staff.caller.scope(),
        meeting_id.to_owned(),
        state.clock.now(),
    );
    Ok(state
        .db
        .read(move |conn| {
            let current = minutes::get(conn, &scope, &id, now)?;
            let stored = !minutes::reading::revisions(conn, &scope, &id)?.is_empty();
            Ok((current, meetings::agenda::list(conn, &scope, &id)?, stored))
        })
        .await?)
}

fn held(meeting: &Meeting) -> bool {
    !matches!(
        meeting.status,
        MeetingStatus::Draft | MeetingStatus::Convened | MeetingStatus::Cancelled
    )
}

pub async fn page(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let (current, agenda, stored) = load(&state, &staff, &meeting.id).await?;
    let writes = staff.can::<need::Write>();
    if current.status == MinutesStatus::Draft && held(&meeting) && writes {
        let page = editor(&staff, &committee, &meeting, &current, agenda, stored);
        return Ok(layout::ok(&page)?);
    }
    signed::status_page(
        &state,
        &staff,
        &committee,
        &meeting,
        current,
        held(&meeting),
    )
    .await
}

fn editor(
    staff: &Staff,
    committee: &Committee,
    meeting: &Meeting,
    current: &Minutes,
    agenda: Vec<AgendaItem>,
    stored: bool,
) -> EditorPage {
    let text_of = |id: &str| current.items.iter().find(|i| i.agenda_item_id == id);
    EditorPage {
        layout: sub_layout(staff, "Compte-rendu", committee, meeting),
        href: minutes_href(&meeting.id),
        version: if stored {
            form::version(current.updated_at)
        } else {
            String::new()
        },
        revision: current.revision,
        opening: current.opening.clone().unwrap_or_default(),
        post_meeting_notes: current.post_meeting_notes.clone().unwrap_or_default(),
        closing_time: current.closing_time.clone().unwrap_or_default(),
        sections: agenda
            .into_iter()
            .map(|item| Section {
                body: text_of(&item.id)
                    .and_then(|i| i.body.clone())
                    .unwrap_or_default(),
                remarks: text_of(&item.id)
                    .and_then(|i| i.remarks.clone())
                    .unwrap_or_default(),
                id: item.id,
                number: item.position,
                title: item.title,
                body_error: String::new(),
                remarks_error: String::new(),
                saved_body: None,
                saved_remarks: None,
            })
            .collect(),
        errors: Errors::default(),
        saved: None,
        opening_beside: false,
        after_beside: false,
        comments: current
            .comments
            .iter()
            .rev()
            .map(|c| CommentLine {
                by: c.by.clone(),
                at: crate::french::date_time(c.at),
                comment: c.comment.clone(),
            })
            .collect(),
        last_saved: if stored {
            format!(
                "Brouillon enregistré le {}.",
                crate::french::date_time(current.updated_at)
            )
        } else {
            "Pas encore enregistré.".into()
        },
    }
}

/// The form's fields as the domain takes them, sections in agenda order.
fn input_of(pairs: &[(String, String)], agenda: &[AgendaItem]) -> MinutesInput {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    MinutesInput {
        opening: field("opening"),
        items: agenda
            .iter()
            .map(|item| MinutesItem {
                agenda_item_id: item.id.clone(),
                body: field(&format!("corps-{}", item.id)),
                remarks: field(&format!("remarques-{}", item.id)),
            })
            .collect(),
        post_meeting_notes: field("post_meeting_notes"),
        closing_time: field("closing_time"),
    }
}

/// The editor as it was typed, with the errors beside their fields.
fn typed(mut page: EditorPage, input: &MinutesInput, errors: Errors) -> EditorPage {
    page.opening = input.opening.clone().unwrap_or_default();
    page.post_meeting_notes = input.post_meeting_notes.clone().unwrap_or_default();
    page.closing_time = input.closing_time.clone().unwrap_or_default();
    for (index, (section, item)) in page.sections.iter_mut().zip(&input.items).enumerate() {
        section.body = item.body.clone().unwrap_or_default();
        section.remarks = item.remarks.clone().unwrap_or_default();
        section.body_error = errors.on(&format!("items[{index}].body"));
        section.remarks_error = errors.on(&format!("items[{index}].remarks"));
    }
    page.errors = errors;
    page
}

/// What was saved meanwhile, beside each field where it differs.
fn beside(mut page: EditorPage, stored: &EditorPage) -> EditorPage {
    let differs = |typed: &str, saved: &str| (typed.trim() != saved.trim()).then(|| saved.into());
    let saved = Saved {
        opening: differs(&page.opening, &stored.opening),
        post_meeting_notes: differs(&page.post_meeting_notes, &stored.post_meeting_notes),
        closing_time: differs(&page.closing_time, &stored.closing_time),
    };
    page.opening_beside = saved.opening.is_some();
    page.after_beside = saved.post_meeting_notes.is_some() || saved.closing_time.is_some();
    page.saved = Some(saved);
    for section in &mut page.sections {
        if let Some(saved) = stored.sections.iter().find(|s| s.id == section.id) {
            section.saved_body = differs(&section.body, &saved.body);
            section.saved_remarks = differs(&section.remarks, &saved.remarks);
        }
    }
    page.version = stored.version.clone();
    page.last_saved = stored.last_saved.clone();
    page
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>, EDITOR_LIMIT>,
) -> WebResult<HttpResponse> {
    let automatic = req.headers().get("hx-request").is_some();
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let (scope, mid) = (staff.caller.scope(), meeting.id.clone());
    let agenda = state
        .db
        .read(move |conn| meetings::agenda::list(conn, &scope, &mid))
        .await?;
    let input = input_of(&pairs, &agenda);
    let seen = pairs
        .iter()
        .find(|(n, _)| n == "version")
        .and_then(|(_, v)| form::version_of(v));
    let submit = !automatic && pairs.iter().any(|(n, v)| n == "then" && v == "submit");
    let (caller, notices, mid) = (staff.caller.clone(), state.notices(), meeting.id.clone());
    let attempt = input.clone();
    let result = state
        .db
        .write(move |conn| {
            if submit {
                minutes::save_and_submit(conn, &caller, &notices, &mid, attempt, seen)
            } else {
                minutes::save(conn, &caller, notices.now, &mid, attempt, seen)
            }
        })
        .await;
    if automatic {
        return automatic_answer(result);
    }
    match result {
        Ok(_) => {
            if submit {
                state.outbox_wake.notify_one();
            }
            staff.flash(if submit {
                "Compte-rendu soumis à la signature ; les signataires en sont prévenus par e-mail."
            } else {
                "Brouillon enregistré."
            });
            Ok(layout::see_other(&minutes_href(&meeting.id)))
        }
        Err(AppError::Stale) => {
            let (current, agenda, stored) = load(&state, &staff, &meeting.id).await?;
            let now = editor(
                &staff,
                &committee,
                &meeting,
                &current,
                agenda.clone(),
                stored,
            );
            let mine = editor(&staff, &committee, &meeting, &current, agenda, stored);
            let page = beside(typed(mine, &input, Errors::default()), &now);
            Ok(layout::page(StatusCode::CONFLICT, &page)?)
        }
        Err(err) => {
            let errors = Errors::of(err)?;
            let (current, agenda, stored) = load(&state, &staff, &meeting.id).await?;
            let page = editor(&staff, &committee, &meeting, &current, agenda, stored);
            let mut page = typed(page, &input, errors);
            page.version = pairs
                .iter()
                .find(|(n, _)| n == "version")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
    }
}

/// The status line after an automatic save; a refused one says what to do
/// and leaves the typed text where it is.
fn automatic_answer(result: Result<Minutes, AppError>) -> WebResult<HttpResponse> {
    let fragment = match result {
        Ok(saved) => SavedFragment {
            message: format!(
                "Brouillon enregistré à {}.",
                crate::french::time(saved.updated_at)
            ),
            version: Some(form::version(saved.updated_at)),
        },
        Err(AppError::Stale) => SavedFragment {
            message: "Enregistrement automatique suspendu : quelqu’un d’autre a enregistré ce \
                      compte-rendu entre-temps. Cliquez sur « Enregistrer » pour voir les deux \
                      textes côte à côte ; le vôtre reste dans la page."
                .into(),
            version: None,
        },
        Err(AppError::Validation(errors)) => SavedFragment {
            message: format!(
                "Non enregistré : {}. Cliquez sur « Enregistrer » pour voir le détail.",
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ),
            version: None,
        },
        Err(other) => return Err(other.into()),
    };
    Ok(layout::ok(&fragment)?)
}
