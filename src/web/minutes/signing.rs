//! The signatory's screens: "À signer" (the minutes waiting, oldest first),
//! reading the compte-rendu, returning it with a comment, and signing it
//! with the function and delegation lines proposed and the password asked
//! again. Only a signatory reaches them (a 403 page for anyone else); another
//! structure's meeting is a 404 page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::minutes_href;
use crate::auth::caller::need;
use crate::domain::meetings::Meeting;
use crate::domain::minutes::signing::{self, Proposal};
use crate::domain::minutes::{self, MinutesStatus, ReturnRequest, SignRequest};
use crate::domain::registry::committees::Committee;
use crate::error::AppError;
use crate::service;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::form::{self, Errors};
use crate::web::layout::{self, Layout, Nav};
use crate::web::meetings::context::{meeting, trail};
use crate::web::session::{Staff, StaffCan};
use crate::web::{DASHBOARD, TO_SIGN};

pub struct QueueLine {
    pub href: String,
    pub title: String,
    pub committee: String,
    pub date: String,
    pub revision: i32,
    pub submitted: String,
}

#[derive(Template)]
#[template(path = "web/minutes/to_sign.html")]
struct QueuePage {
    layout: Layout,
    lines: Vec<QueueLine>,
}

pub async fn queue(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Sign>,
) -> WebResult<HttpResponse> {
    let scope = staff.caller.scope();
    let waiting = state
        .db
        .read(move |conn| minutes::reading::awaiting_signature(conn, &scope))
        .await?;
    let lines = waiting
        .into_iter()
        .map(|w| QueueLine {
            href: format!("{}/signature", minutes_href(&w.meeting_id)),
            title: w.meeting_title,
            committee: w.committee,
            date: crate::french::long_date_of(w.starts_at),
            revision: w.revision,
            submitted: match (w.submitted_at, w.submitted_by_name) {
                (Some(at), Some(by)) => format!("le {} par {by}", crate::french::date_time(at)),
                (Some(at), None) => format!("le {}", crate::french::date_time(at)),
                _ => String::new(),
            },
        })
        .collect();
    let layout = Layout::staff(
        &staff,
        "À signer",
        Nav::Signing,
        &[("Tableau de bord", DASHBOARD)],
    );
    Ok(layout::ok(&QueuePage { layout, lines })?)
}

#[derive(Debug, Default, Deserialize)]
pub struct SignForm {
    #[serde(default)]
    pub function: String,
    #[serde(default)]
    pub delegation: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReturnForm {
    #[serde(default)]
    pub comment: String,
}

#[derive(Template)]
#[template(path = "web/minutes/signature.html")]
struct SignaturePage {
    layout: Layout,
    href: String,
    date: String,
    committee: String,
    revision: i32,
    submitted: String,
    sign: SignForm,
    sign_errors: Errors,
    comment: String,
    return_errors: Errors,
}

/// The page, for the submitted minutes of a meeting in scope.
async fn signature_page(
    state: &AppState,
    staff: &Staff,
    committee: &Committee,
    meeting: &Meeting,
    sign: Option<SignForm>,
) -> WebResult<SignaturePage> {
    let (scope, caller, id, now) = (
        staff.caller.scope(),
        staff.caller.clone(),
        meeting.id.clone(),
        state.clock.now(),
    );
    let (current, proposal) = state
        .db
        .read(move |conn| {
            let current = minutes::get(conn, &scope, &id, now)?;
            let proposal = signing::proposal(conn, &caller, &id)?;
            Ok((current, proposal))
        })
        .await?;
    if current.status != MinutesStatus::Submitted {
        return Err(AppError::Conflict(
            "ce compte-rendu n’attend pas de signature : il est en rédaction ou déjà signé".into(),
        )
        .into());
    }
    let Proposal {
        function,
        delegation,
    } = proposal;
    let trail = trail(committee, meeting);
    let mut trail: Vec<(&str, &str)> = trail
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    trail.insert(1, ("À signer", TO_SIGN));
    trail.remove(2);
    Ok(SignaturePage {
        layout: Layout::staff(staff, "Signer le compte-rendu", Nav::Signing, &trail),
        href: minutes_href(&meeting.id),
        date: crate::french::long_date_of(meeting.starts_at),
        committee: committee.name.clone(),
        revision: current.revision,
        submitted: match (current.submitted_at, current.submitted_by_name) {
            (Some(at), Some(by)) => format!("Soumis le {} par {by}.", crate::french::date_time(at)),
            _ => String::new(),
        },
        sign: sign.unwrap_or(SignForm {
            function,
            delegation,
            password: String::new(),
        }),
        sign_errors: Errors::default(),
        comment: String::new(),
        return_errors: Errors::default(),
    })
}

pub async fn page(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Sign>,
    id: web::Path<String>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let page = signature_page(&state, &staff, &committee, &meeting, None).await?;
    Ok(layout::ok(&page)?)
}

pub async fn return_to_draft(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Sign>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<ReturnForm>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let (caller, notices, mid) = (staff.caller.clone(), state.notices(), meeting.id.clone());
    let request = ReturnRequest {
        comment: form.comment.clone(),
    };
    let result = state
        .db
        .write(move |conn| minutes::return_to_draft(conn, &caller, &notices, &mid, request))
        .await;
    match result {
        Ok(_) => {
            state.outbox_wake.notify_one();
            staff.flash("Compte-rendu renvoyé en rédaction ; le secrétariat est prévenu par e-mail avec votre commentaire.");
            Ok(layout::see_other(TO_SIGN))
        }
        Err(err) => {
            let errors = Errors::of(err)?;
            let mut page = signature_page(&state, &staff, &committee, &meeting, None).await?;
            page.comment = form.comment;
            page.return_errors = errors;
            Ok(layout::page(StatusCode::UNPROCESSABLE_ENTITY, &page)?)
        }
    }
}

pub async fn sign(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Sign>,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<SignForm>,
) -> WebResult<HttpResponse> {
    let (meeting, committee) = meeting(&state, &staff, id.into_inner()).await?;
    let request = SignRequest {
        password: form.password.clone(),
        function: form::text(&form.function),
        delegation: form::text(&form.delegation),
    };
    match service::minutes::sign(&state, &staff.caller, &meeting.id, request).await {
        Ok(_) => {
            state.outbox_wake.notify_one();
            staff.flash("Compte-rendu signé. Ses documents et leurs empreintes sont ci-dessous ; le secrétariat est prévenu et peut le diffuser.");
            Ok(layout::see_other(&minutes_href(&meeting.id)))
        }
        Err(err) => {
            let (status, errors) = match err {
                AppError::InvalidCredentials => (
                    StatusCode::UNAUTHORIZED,
                    Errors::one("password", "Mot de passe incorrect : rien n’a été signé."),
                ),
                other => (StatusCode::UNPROCESSABLE_ENTITY, Errors::of(other)?),
            };
            let typed = SignForm {
                password: String::new(),
                ..form
            };
            let mut page =
                signature_page(&state, &staff, &committee, &meeting, Some(typed)).await?;
            page.sign_errors = errors;
            Ok(layout::page(status, &page)?)
        }
    }
}
