//! Where the minutes stand when they are not being written: not yet
//! written (the meeting is not held), being written (for who only reads),
//! waiting for the signature, or signed — then the signed documents and
//! their fingerprints, the revisions, a new revision, and the distribution
//! to the members with the delivery of each message.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::minutes_href;
use crate::auth::caller::need;
use crate::documents::Format;
use crate::domain::meetings::Meeting;
use crate::domain::minutes::distribution;
use crate::domain::minutes::{self, Minutes, MinutesStatus};
use crate::domain::registry::committees::Committee;
use crate::state::AppState;
use crate::web::csrf::{CsrfForm, NoFields};
use crate::web::error::WebResult;
use crate::web::filters;
use crate::web::layout::{self, Layout};
use crate::web::meetings::context::sub_layout;
use crate::web::paths::meeting_href;
use crate::web::session::{Staff, StaffCan};

pub struct DocumentLine {
    pub label: &'static str,
    pub href: String,
    pub sha256: String,
}

pub struct RevisionLine {
    pub revision: i32,
    pub status: &'static str,
    pub signed: String,
    pub pdf_sha256: String,
    pub pdf_href: String,
}

pub struct Delivery {
    pub email: String,
    pub status: &'static str,
    pub badge: &'static str,
    pub sent_at: String,
}

pub struct SignedInfo {
    pub signer: String,
    pub function: String,
    pub at: String,
    /// What the PDF's electronic signature is, in a sentence.
    pub electronic: String,
    pub documents: Vec<DocumentLine>,
    pub verify_href: String,
}

/// The PDF's signature in words: its level, and whose certificate.
fn electronic(level: Option<&str>, signer: &crate::signature::Signer) -> String {
    let mut text = match level {
        Some("B-T") => "Le PDF porte une signature électronique PAdES horodatée, vérifiable dans tout lecteur PDF.".to_owned(),
        _ if signer.has_authority() => "Le PDF porte une signature électronique PAdES, sans horodatage pour l’instant : l’autorité d’horodatage n’a pas répondu, il sera ajouté dès qu’elle répondra.".to_owned(),
        _ => "Le PDF porte une signature électronique PAdES, sans horodatage (aucune autorité d’horodatage n’est configurée).".to_owned(),
    };
    if signer.is_local() {
        text.push_str(" Son certificat est le certificat local de cette installation, non qualifié : pour une signature reconnue hors de clu, l’administrateur configure le cachet serveur de la structure.");
    } else {
        text.push_str(&format!(" Certificat : « {} ».", signer.certificate_name()));
    }
    text
}

#[derive(Template)]
#[template(path = "web/minutes/status.html")]
pub struct StatusPage {
    pub layout: Layout,
    pub href: String,
    pub meeting_href: String,
    pub revision: i32,
    pub status: &'static str,
    pub badge: &'static str,
    /// Where the minutes stand, in a sentence.
    pub notice: String,
    pub preview: bool,
    pub can_sign: bool,
    pub can_write: bool,
    pub signed: Option<SignedInfo>,
    pub revisions: Vec<RevisionLine>,
    /// Once there is more than one revision, or a signed one.
    pub show_revisions: bool,
    pub audience: Vec<(String, String)>,
    pub deliveries: Vec<Delivery>,
}

fn label(format: Format) -> &'static str {
    match format {
        Format::Html => "HTML",
        Format::Markdown => "Markdown",
        Format::Pdf => "PDF/A",
    }
}

fn status_label(status: MinutesStatus) -> (&'static str, &'static str) {
    match status {
        MinutesStatus::Draft => ("en rédaction", "fr-badge--warning"),
        MinutesStatus::Submitted => ("à signer", "fr-badge--new"),
        MinutesStatus::Signed => ("signé", "fr-badge--success"),
    }
}

fn delivery(recipient: distribution::Recipient) -> Delivery {
    let (status, badge) = match recipient.status.as_str() {
        "sent" => ("envoyé", "fr-badge--success"),
        "failed" => ("non distribué", "fr-badge--error"),
        _ => ("en attente d’envoi", "fr-badge--info"),
    };
    Delivery {
        email: recipient.email,
        status,
        badge,
        sent_at: recipient
            .sent_at
            .map(crate::french::date_time)
            .unwrap_or_default(),
    }
}

pub async fn status_page(
    state: &AppState,
    staff: &Staff,
    committee: &Committee,
    meeting: &Meeting,
    current: Minutes,
    held: bool,
) -> WebResult<HttpResponse> {
    let (scope, id, now) = (staff.caller.scope(), meeting.id.clone(), state.clock.now());
    let signed_now = current.status == MinutesStatus::Signed;
    let (revisions, audience, recipients) = state
        .db
        .read(move |conn| {
            let revisions = minutes::reading::revisions(conn, &scope, &id)?;
            let (audience, recipients) = if signed_now {
                (
                    distribution::audience(conn, &scope, &id, now)?,
                    distribution::recipients(conn, &scope, &id)?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok((revisions, audience, recipients))
        })
        .await?;
    let href = minutes_href(&meeting.id);
    let (status, badge) = status_label(current.status);
    let notice = match current.status {
        _ if !held => "Le compte-rendu se rédige une fois la réunion tenue : faites l’appel sur la page « Présences », puis marquez la réunion comme tenue.".to_owned(),
        MinutesStatus::Draft => "Le secrétariat rédige le compte-rendu ; l’aperçu montre le dernier brouillon enregistré.".to_owned(),
        MinutesStatus::Submitted => format!(
            "Soumis à la signature{}{}. Le signataire peut le signer ou le renvoyer en rédaction avec un commentaire.",
            current.submitted_at.map(|t| format!(" le {}", crate::french::date_time(t))).unwrap_or_default(),
            current.submitted_by_name.as_ref().map(|n| format!(" par {n}")).unwrap_or_default(),
        ),
        MinutesStatus::Signed => "Le compte-rendu est signé : ses documents ne changent plus. Une correction se fait dans une nouvelle révision.".to_owned(),
    };
    let level = current
        .documents
        .iter()
        .find(|d| d.format == "pdf")
        .and_then(|d| d.signature_level.clone());
    let signed = signed_now.then(|| SignedInfo {
        electronic: electronic(level.as_deref(), &state.signer),
        signer: current.signer_name.clone().unwrap_or_default(),
        function: current.signer_function.clone().unwrap_or_default(),
        at: current
            .signed_at
            .map(crate::french::date_time)
            .unwrap_or_default(),
        verify_href: current
            .documents
            .iter()
            .find(|d| d.format == "pdf")
            .map(|d| format!("/verify/{}", d.sha256))
            .unwrap_or_default(),
        documents: Format::ALL
            .into_iter()
            .filter_map(|format| {
                let document = current
                    .documents
                    .iter()
                    .find(|d| d.format == format.as_str())?;
                Some(DocumentLine {
                    label: label(format),
                    href: format!(
                        "{href}/document.{}?revision={}",
                        format.as_str(),
                        current.revision
                    ),
                    sha256: document.sha256.clone(),
                })
            })
            .collect(),
    });
    let show_revisions =
        revisions.len() > 1 || (revisions.iter().any(|r| !r.documents.is_empty()) && !signed_now);
    let page = StatusPage {
        show_revisions,
        layout: sub_layout(staff, "Compte-rendu", committee, meeting),
        meeting_href: meeting_href(&meeting.id),
        revision: current.revision,
        status,
        badge,
        notice,
        preview: held,
        can_sign: current.status == MinutesStatus::Submitted && staff.can::<need::Sign>(),
        can_write: staff.can::<need::Write>(),
        signed,
        revisions: revisions
            .into_iter()
            .map(|r| RevisionLine {
                revision: r.revision,
                status: status_label(r.status).0,
                signed: r
                    .signed_at
                    .map(crate::french::date_time)
                    .unwrap_or_default(),
                pdf_sha256: r
                    .documents
                    .iter()
                    .find(|d| d.format == "pdf")
                    .map(|d| d.sha256.clone())
                    .unwrap_or_default(),
                pdf_href: format!("{href}/document.pdf?revision={}", r.revision),
            })
            .collect(),
        audience,
        deliveries: recipients.into_iter().map(delivery).collect(),
        href,
    };
    Ok(layout::ok(&page)?)
}

pub async fn revise(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, now, id) = (staff.caller.clone(), state.clock.now(), id.into_inner());
    let mid = id.clone();
    let draft = state
        .db
        .write(move |conn| minutes::revise(conn, &caller, now, &mid))
        .await?;
    staff.flash(format!(
        "Révision {} ouverte : corrigez le compte-rendu, puis soumettez-le à nouveau. La révision signée reste consultable.",
        draft.revision
    ));
    Ok(layout::see_other(&minutes_href(&id)))
}

pub async fn distribute(
    state: web::Data<AppState>,
    StaffCan(staff, _): StaffCan<need::Write>,
    id: web::Path<String>,
    _: CsrfForm<NoFields>,
) -> WebResult<HttpResponse> {
    let (caller, notices, id) = (staff.caller.clone(), state.notices(), id.into_inner());
    let mid = id.clone();
    let done = state
        .db
        .write(move |conn| distribution::distribute(conn, &caller, &notices, &mid))
        .await?;
    state.outbox_wake.notify_one();
    staff.flash(match done.queued {
        0 => "Aucun envoi : aucun membre du comité n’a d’adresse e-mail.".to_owned(),
        1 => "Compte-rendu signé envoyé à 1 membre.".to_owned(),
        n => format!("Compte-rendu signé envoyé à {n} membres."),
    });
    Ok(layout::see_other(&format!(
        "{}#diffusion",
        minutes_href(&id)
    )))
}
