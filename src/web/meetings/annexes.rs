//! The meeting's annexes on its page: the list with sizes and types, a
//! download for each, deleting; adding one with a plain file field (the
//! form's token first, then the item, then the file, read as it arrives).

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;

use crate::auth::caller::need;
use crate::domain::meetings::agenda::AgendaItem;
use crate::domain::meetings::annex_files::ACCEPTED_TYPES;
use crate::domain::meetings::annex_meeting;
use crate::domain::meetings::annexes::{self, Annex, Target};
use crate::domain::meetings::{Meeting, MeetingStatus};
use crate::error::AppError;
use crate::service;
use crate::state::AppState;
use crate::web::csrf::{self, CsrfForm, NoFields};
use crate::web::error::{WebError, WebResult};
use crate::web::layout;
use crate::web::paths::meeting_href;
use crate::web::session::{self, Staff, StaffCan};

/// The form's fields: the token, the item (empty: the meeting), the file.
const ITEM: &str = "point";
const FILE: &str = "fichier";

/// One annex in the list.
pub struct AnnexLine {
    pub name: String,
    pub href: String,
    pub kind: String,
    pub size: String,
    /// "Point 2", or "Réunion".
    pub attached_to: String,
    /// The delete form's action, when it may still change.
    pub remove: Option<String>,
    /// The page to put a new version in its place, likewise.
    pub replace: Option<String>,
}

/// The page's section: the list, and the form while annexes may change.
pub struct Section {
    pub lines: Vec<AnnexLine>,
    pub changeable: bool,
    /// Convened, not started, with annexes: the invited can be told.
    pub announce: Option<String>,
    /// (item id, "2. Résultats des audits").
    pub items: Vec<(String, String)>,
    pub hint: String,
    pub error: Option<String>,
    /// Every annex is a PDF: the dossier can be one PDF too.
    pub one_pdf: bool,
}

impl Section {
    pub fn new(
        state: &AppState,
        meeting: &Meeting,
        items: &[AgendaItem],
        annexes: Vec<Annex>,
        can_write: bool,
        error: Option<String>,
    ) -> Self {
        let changeable = can_write
            && !matches!(
                meeting.status,
                MeetingStatus::MinutesSigned | MeetingStatus::Cancelled
            );
        let base = meeting_href(&meeting.id);
        let announce = (changeable
            && meeting.status == MeetingStatus::Convened
            && meeting.starts_at > state.clock.now()
            && !annexes.is_empty())
        .then(|| format!("{base}/annexes/annoncer"));
        let one_pdf = annexes.iter().all(|a| a.media_type == "application/pdf");
        Self {
            announce,
            one_pdf,
            lines: annexes
                .into_iter()
                .map(|a| AnnexLine {
                    href: format!("{base}/annexes/{}", a.id),
                    remove: changeable.then(|| format!("{base}/annexes/{}/supprimer", a.id)),
                    replace: changeable.then(|| format!("{base}/annexes/{}/remplacer", a.id)),
                    kind: a.type_label,
                    size: crate::french::file_size(a.size),
                    attached_to: a
                        .item_number
                        .map_or_else(|| "Réunion".to_owned(), |n| format!("Point {n}")),
                    name: a.file_name,
                })
                .collect(),
            changeable,
            items: items
                .iter()
                .enumerate()
                .map(|(index, item)| (item.id.clone(), format!("{}. {}", index + 1, item.title)))
                .collect(),
            hint: hint(state),
            error,
        }
    }
}

/// The upload field's hint: the limits and the accepted types.
pub(super) fn hint(state: &AppState) -> String {
    let limits = state.annex_limits();
    format!(
        "{} au plus par fichier, {} pour toute la réunion. Formats acceptés : {ACCEPTED_TYPES}.",
        crate::french::file_size(i64::try_from(limits.file_bytes).unwrap_or(i64::MAX)),
        crate::french::file_size(i64::try_from(limits.meeting_bytes).unwrap_or(i64::MAX)),
    )
}

/// Why an upload was refused, for the person who sent it; none when the
/// error is not theirs.
pub(super) fn refusal(err: &AppError, state: &AppState) -> Option<String> {
    match err {
        AppError::PayloadTooLarge { limit } => Some(format!(
            "Le fichier est trop volumineux : il reste {} pour cette réunion, {} au plus par fichier.",
            crate::french::file_size(i64::try_from(*limit).unwrap_or(i64::MAX)),
            crate::french::file_size(
                i64::try_from(state.annex_limits().file_bytes).unwrap_or(i64::MAX)
            ),
        )),
        AppError::Validation(errors) => errors.first().map(|e| {
            let mut text = e.message.clone();
            if let Some(first) = text.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            format!("{text}.")
        }),
        AppError::Conflict(message) => Some(format!("{message}.")),
        _ => None,
    }
}

/// Reads an upload form: its token first (nothing is read before it), then
/// the item when the form has one, then the file, which goes to `target`
/// (or to the item chosen). The outer error is the form's (a bad token);
/// the inner one the file's, to show on the form.
pub(super) async fn receive_form(
    state: &AppState,
    staff: &Staff,
    mut form: Multipart,
    mut target: Target,
) -> WebResult<Result<Annex, AppError>> {
    let unreadable = |_| AppError::BadRequest("formulaire illisible".into());
    let mut checked = false;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_owned();
        if name != csrf::FIELD && !checked {
            return Err(WebError::Csrf);
        }
        if name == FILE {
            let empty = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .is_none_or(str::is_empty);
            if empty {
                break;
            }
            return Ok(async {
                let room = service::annexes::room(state, &staff.caller, &target).await?;
                let file = service::annexes::receive(field, room).await?;
                service::annexes::attach(state, &staff.caller, target.clone(), file).await
            }
            .await);
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if value.len() + chunk.len() > 256 {
                return Err(AppError::BadRequest("formulaire illisible".into()).into());
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8_lossy(&value).into_owned();
        match name.as_str() {
            csrf::FIELD => checked = session::csrf_matches(&staff.session, &value),
            ITEM if !value.is_empty() => target = Target::AgendaItem(value),
            _ => {}
        }
    }
    if !checked {
        return Err(WebError::Csrf);
    }
    Ok(Err(AppError::validation(
        FILE,
        "choisissez le fichier à ajouter",
    )))
}

pub async fn upload(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    form: Multipart,
) -> WebResult<HttpResponse> {
    let meeting_id = id.into_inner();
    let target = Target::Meeting(meeting_id.clone());
    match receive_form(&state, &staff, form, target).await? {
        Ok(annex) => {
            staff.flash(format!("Annexe « {} » ajoutée.", annex.file_name));
            Ok(layout::see_other(&format!(
                "{}#annexes",
                meeting_href(&meeting_id)
            )))
        }
        Err(err) => match refusal(&err, &state) {
            Some(message) => super::pages::render(&state, &staff, meeting_id, Some(message)).await,
            None => Err(err.into()),
        },
    }
}

/// The annex, if it is one of this meeting's in the caller's scope.
pub(super) async fn annex_of(
    state: &AppState,
    staff: &Staff,
    meeting_id: &str,
    annex_id: String,
) -> WebResult<Annex> {
    let annex = service::annexes::find(state, &staff.caller, annex_id).await?;
    if annex.meeting_id != meeting_id {
        return Err(AppError::NotFound.into());
    }
    Ok(annex)
}

pub async fn download(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
) -> WebResult<HttpResponse> {
    let (meeting_id, annex_id) = path.into_inner();
    let annex = annex_of(&state, &staff, &meeting_id, annex_id).await?;
    Ok(service::annexes::download(&state, &annex))
}

pub async fn remove(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (meeting_id, annex_id) = path.into_inner();
    let annex = annex_of(&state, &staff, &meeting_id, annex_id).await?;
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), annex.id.clone());
    state
        .db
        .write(move |conn| annexes::remove(conn, &caller, now, &id))
        .await?;
    staff.flash(format!("Annexe « {} » supprimée.", annex.file_name));
    Ok(layout::see_other(&format!(
        "{}#annexes",
        meeting_href(&meeting_id)
    )))
}

pub async fn dossier(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let who = service::dossier::For::Staff(staff.caller.scope());
    Ok(service::dossier::download(&state, id.into_inner(), who).await?)
}

pub async fn dossier_pdf(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let who = service::dossier::For::Staff(staff.caller.scope());
    Ok(service::dossier::download_pdf(&state, id.into_inner(), who).await?)
}

pub async fn announce(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let meeting_id = id.into_inner();
    let (caller, notices, mid) = (staff.caller.clone(), state.notices(), meeting_id.clone());
    let queued = state
        .db
        .write(move |conn| annex_meeting::announce(conn, &caller, &notices, &mid))
        .await?;
    state.outbox_wake.notify_one();
    staff.flash(match queued {
        0 => "Personne à prévenir : aucun invité n’a d’adresse e-mail.".to_owned(),
        1 => "1 invité est prévenu des documents de la réunion.".to_owned(),
        n => format!("{n} invités sont prévenus des documents de la réunion."),
    });
    Ok(layout::see_other(&format!(
        "{}#annexes",
        meeting_href(&meeting_id)
    )))
}
