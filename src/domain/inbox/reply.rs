//! A person's reply to a message about a meeting ("je serai présent"),
//! found by its In-Reply-To / References: forwarded to the secrétariat
//! (the structure's case officer, else its secrétariat's accounts), the
//! original attached, and listed on the meeting's page.

use serde_json::json;

use super::{Effect, Kind};
use crate::auth::Role;
use crate::db::DbConn;
use crate::domain::Found;
use crate::domain::meetings::notices::{Notices, StaffExtra};
use crate::domain::meetings::print;
use crate::error::AppResult;
use crate::mail::AttachmentPart;
use crate::mail::inbound::Incoming;
use crate::store::{self, Scope};

/// The largest original attached to the forwarded message; a larger one
/// stays in the mailbox's "traité" folder.
const MAX_ATTACHED: usize = 5 * 1024 * 1024;

pub(super) fn handle(
    conn: &mut DbConn,
    notices: &Notices,
    incoming: &Incoming,
    raw: &[u8],
) -> AppResult<Effect> {
    let mut about = None;
    for id in &incoming.refers_to {
        if let Some(sent) = store::outbox::by_message_id(conn, id)?
            && sent.meeting_id.is_some()
        {
            about = Some(sent);
            break;
        }
    }
    let Some(sent) = about else {
        return Ok(Effect::nothing(
            Kind::Unrelated,
            "Message sans rapport avec une réunion : laissé dans le dossier des messages traités.",
        ));
    };
    let meeting_id = sent.meeting_id.clone().unwrap_or_default();
    let meeting = store::meetings::find(conn, &Scope::All, &meeting_id).found()?;
    let context = print::meeting_context(conn, &meeting)?;
    let recipients = match &context.structure.case_officer.email {
        Some(email) => vec![email.clone()],
        None => {
            store::users::active_with_role(conn, &meeting.structure_id, Role::Secretariat.as_str())?
                .into_iter()
                .map(|user| user.email)
                .collect()
        }
    };
    let data = json!({
        "structure": context.structure,
        "committee": context.committee,
        "meeting": context.meeting,
        "sender": incoming.from,
        "subject": incoming.subject,
        "text": incoming.text,
        "attached": raw.len() <= MAX_ATTACHED,
        "url": notices.url(&format!("/reunions/{}", meeting.id)),
    });
    let original = (raw.len() <= MAX_ATTACHED).then(|| {
        use base64::Engine;
        AttachmentPart {
            filename: "message-original.eml".into(),
            content_type: "message/rfc822".into(),
            base64: base64::engine::general_purpose::STANDARD.encode(raw),
        }
    });
    for recipient in &recipients {
        notices.to_staff(
            conn,
            "reply-forward",
            &meeting,
            recipient,
            &data,
            StaffExtra {
                attachments: original.iter().cloned().collect(),
                reply_to: incoming.from.clone(),
            },
        )?;
    }
    if recipients.is_empty() {
        tracing::warn!(meeting_id = %meeting.id, "a reply had no one to be forwarded to");
    }
    Ok(Effect {
        kind: Kind::Reply,
        structure_id: Some(meeting.structure_id.clone()),
        meeting_id: Some(meeting.id.clone()),
        invitation_id: sent.invitation_id.clone(),
        outcome: match recipients.len() {
            0 => "Réponse reçue ; personne à qui la transmettre (ni chargé de dossier, ni secrétariat)."
                .to_owned(),
            1 => "Réponse transmise au secrétariat.".to_owned(),
            n => format!("Réponse transmise au secrétariat ({n} destinataires)."),
        },
    })
}
