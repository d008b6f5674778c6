//! From an outbox row to a MIME message: text and HTML alternatives, the
//! calendar part clients act on, the same as an `.ics` attachment, and the
//! row's stable Message-ID. Every message says it is automatic (RFC 3834),
//! so that out-of-office robots do not answer it, and replies go to the
//! secrétariat when the message names it.

use base64::Engine;
use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use super::Content;
use crate::store::outbox::OutboxRow;

pub fn build(row: &OutboxRow, from: &Mailbox) -> Result<Message, String> {
    let content: Content =
        serde_json::from_str(&row.content).map_err(|e| format!("contenu illisible : {e}"))?;
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("destinataire invalide : {e}"))?;
    let mut alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(content.text))
        .singlepart(SinglePart::html(content.html));
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(content.subject)
        .message_id(Some(row.message_id.clone()))
        .header(AutoSubmitted);
    if let Some(reply_to) = content.reply_to.as_deref().and_then(|a| a.parse().ok()) {
        builder = builder.reply_to(reply_to);
    }
    let mut files = Vec::new();
    if let Some(calendar) = content.calendar {
        let kind = ContentType::parse(&format!(
            "text/calendar; charset=utf-8; method={}",
            calendar.method
        ))
        .map_err(|e| format!("type calendrier : {e}"))?;
        alternative = alternative.singlepart(
            SinglePart::builder()
                .header(kind.clone())
                .body(calendar.body.clone()),
        );
        files.push(Attachment::new("invitation.ics".into()).body(calendar.body, kind));
    }
    for file in content.attachments {
        let kind = ContentType::parse(&file.content_type)
            .map_err(|e| format!("type de pièce jointe : {e}"))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(file.base64.as_bytes())
            .map_err(|e| format!("pièce jointe illisible : {e}"))?;
        files.push(Attachment::new(file.filename).body(bytes, kind));
    }
    let message = if files.is_empty() {
        builder.multipart(alternative)
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for file in files {
            mixed = mixed.singlepart(file);
        }
        builder.multipart(mixed)
    };
    message.map_err(|e| format!("message invalide : {e}"))
}

/// `Auto-Submitted: auto-generated` (RFC 3834).
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}
