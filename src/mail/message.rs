//! From an outbox row to a MIME message: text and HTML alternatives, the
//! calendar part clients act on, the same as an `.ics` attachment, and the
//! row's stable Message-ID.

use lettre::Message;
use lettre::message::header::ContentType;
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
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(content.subject)
        .message_id(Some(row.message_id.clone()));
    let message = match content.calendar {
        None => builder.multipart(alternative),
        Some(calendar) => {
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
            let attachment = Attachment::new("invitation.ics".into()).body(calendar.body, kind);
            builder.multipart(
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(attachment),
            )
        }
    };
    message.map_err(|e| format!("message invalide : {e}"))
}
