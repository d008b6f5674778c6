//! Replacing an annex by a new version, on a page of its own: the same
//! annex (its item, its place, its link for the members), a new file.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::annexes::{annex_of, hint, receive_form, refusal};
use super::context::{meeting, sub_layout};
use crate::auth::caller::need;
use crate::domain::meetings::annexes::{Annex, Target};
use crate::state::AppState;
use crate::web::error::WebResult;
use crate::web::layout::{self, Layout};
use crate::web::paths::meeting_href;
use crate::web::session::{Staff, StaffCan};

#[derive(Template)]
#[template(path = "web/meetings/annex_replace.html")]
struct ReplacePage {
    layout: Layout,
    href: String,
    action: String,
    name: String,
    size: String,
    kind: String,
    hint: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    annex: Annex,
    error: Option<String>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(state, staff, annex.meeting_id.clone()).await?;
    let href = meeting_href(&meeting.id);
    let page = ReplacePage {
        layout: sub_layout(staff, "Remplacer une annexe", &committee, &meeting),
        action: format!("{href}/annexes/{}/remplacer", annex.id),
        href,
        size: crate::french::file_size(annex.size),
        kind: annex.type_label,
        name: annex.file_name,
        hint: hint(state),
        error,
    };
    let status = match page.error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    Ok(layout::page(status, &page)?)
}

pub async fn form(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
) -> WebResult<HttpResponse> {
    let (meeting_id, annex_id) = path.into_inner();
    let annex = annex_of(&state, &staff, &meeting_id, annex_id).await?;
    page(&state, &staff, annex, None).await
}

pub async fn replace(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    path: web::Path<(String, String)>,
    form: Multipart,
) -> WebResult<HttpResponse> {
    let (meeting_id, annex_id) = path.into_inner();
    let annex = annex_of(&state, &staff, &meeting_id, annex_id).await?;
    let target = Target::Annex(annex.id.clone());
    match receive_form(&state, &staff, form, target).await? {
        Ok(new) => {
            staff.flash(format!(
                "Annexe « {} » remplacée par « {} ».",
                annex.file_name, new.file_name
            ));
            Ok(layout::see_other(&format!(
                "{}#annexes",
                meeting_href(&meeting_id)
            )))
        }
        Err(err) => match refusal(&err, &state) {
            Some(message) => page(&state, &staff, annex, Some(message)).await,
            None => Err(err.into()),
        },
    }
}
