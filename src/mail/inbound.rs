//! Reading a message that came back to clu's mailbox: who sent it and about
//! what, whether a robot wrote it, and the two machine-readable kinds clu
//! acts on: a calendar answer (iTIP `METHOD:REPLY`, RFC 5546) and a
//! delivery status notification (RFC 3464). What to do with it is the
//! domain's (`domain::inbox`).

use chrono::{DateTime, Utc};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};

/// The longest message read; a larger one is kept in the mailbox, unread.
pub const MAX_BYTES: usize = 25 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The Message-ID with its `<>`, or `sha256:…` of the bytes when the
    /// message has none: what makes it handled once.
    pub key: String,
    /// The sender's address, lower case.
    pub from: Option<String>,
    pub subject: Option<String>,
    pub date: Option<DateTime<Utc>>,
    /// The messages this one answers (In-Reply-To, then References), `<…>`.
    pub refers_to: Vec<String>,
    /// Written by a robot (an out-of-office reply, a list): never acted on.
    pub automatic: bool,
    /// The text a person wrote (the first text part), shortened.
    pub text: Option<String>,
    pub calendar: Option<CalendarReply>,
    pub report: Option<DeliveryReport>,
}

/// A calendar's answer to an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarReply {
    pub uid: String,
    pub sequence: i32,
    /// The attendee's address, lower case.
    pub attendee: String,
    /// ACCEPTED, DECLINED, TENTATIVE… as written.
    pub partstat: String,
    pub comment: Option<String>,
}

/// A delivery status notification: the message it is about, and what
/// happened to each recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The Message-ID of the message that could not be delivered, `<…>`.
    pub original: Option<String>,
    pub recipients: Vec<RecipientStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientStatus {
    pub recipient: Option<String>,
    /// failed, delayed, delivered, relayed, expanded.
    pub action: String,
    /// The enhanced status code, `5.1.1`.
    pub status: Option<String>,
    pub diagnostic: Option<String>,
}

impl RecipientStatus {
    /// Why it was not delivered, in French, for the secrétariat, with
    /// the receiving server's own words (which may quote the address).
    pub fn reason(&self) -> String {
        match &self.diagnostic {
            None => self.summary(),
            Some(diagnostic) => format!("{} : {}", self.summary(), clip(diagnostic, 200)),
        }
    }

    /// Why it was not delivered, without the server's words.
    pub fn summary(&self) -> String {
        let code = self.status.as_deref().unwrap_or("");
        let detail: Vec<&str> = code.split('.').collect();
        let label = match (detail.get(1).copied(), detail.get(2).copied()) {
            (Some("1"), Some("1")) => "adresse inconnue du serveur destinataire",
            (Some("1"), Some("2")) => "domaine du destinataire introuvable",
            (Some("1"), _) => "adresse du destinataire invalide",
            (Some("2"), Some("2")) => "boîte aux lettres pleine",
            (Some("2"), Some("1")) => "boîte aux lettres désactivée",
            (Some("2"), _) => "boîte aux lettres indisponible",
            (Some("3"), Some("4")) => "message trop volumineux pour le serveur destinataire",
            (Some("4"), _) => "serveur destinataire injoignable",
            (Some("7"), _) => "refusé par le serveur destinataire",
            _ => "message non distribué",
        };
        if code.is_empty() {
            label.to_owned()
        } else {
            format!("{label} (code {code})")
        }
    }
}

fn clip(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Reads a message. Never fails: what cannot be read is left out, and the
/// key still identifies the bytes.
pub fn parse(raw: &[u8]) -> Incoming {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Incoming {
            key: hash_key(raw),
            from: None,
            subject: None,
            date: None,
            refers_to: Vec::new(),
            automatic: false,
            text: None,
            calendar: None,
            report: None,
        };
    };
    let key = message
        .message_id()
        .map(|id| format!("<{}>", id.trim()))
        .filter(|id| id.len() > 2)
        .unwrap_or_else(|| hash_key(raw));
    let mut refers_to = ids(message.in_reply_to());
    refers_to.extend(ids(message.references()));
    refers_to.dedup();
    Incoming {
        key,
        from: message
            .from()
            .and_then(|from| from.first())
            .and_then(|addr| addr.address())
            .map(|address| address.trim().to_lowercase()),
        subject: message.subject().map(|s| clip(s, 300)),
        date: message
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        refers_to,
        automatic: is_automatic(&message),
        text: message
            .body_text(0)
            .map(|text| clip_keeping_lines(&text, 20_000)),
        calendar: calendar_reply(&message),
        report: delivery_report(&message),
    }
}

fn clip_keeping_lines(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.trim().to_owned(),
    }
}

fn hash_key(raw: &[u8]) -> String {
    format!("sha256:{}", crate::documents::fingerprint(raw))
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![format!("<{}>", id.trim())],
        HeaderValue::TextList(list) => list.iter().map(|id| format!("<{}>", id.trim())).collect(),
        _ => Vec::new(),
    }
}

/// RFC 3834's `Auto-Submitted`, and the older marks of vacation robots and
/// lists. A delivery report is automatic too, but is read for what it says.
fn is_automatic(message: &Message<'_>) -> bool {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || header("Precedence")
            .is_some_and(|v| ["auto_reply", "bulk", "junk", "list"].contains(&v.as_str()))
        || header("List-Id").is_some()
}

fn content_type(part: &mail_parser::MessagePart<'_>) -> (String, String) {
    part.content_type().map_or_else(
        || ("text".into(), "plain".into()),
        |ct| {
            (
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase(),
            )
        },
    )
}

/// The first iCalendar part (the inline `text/calendar` or the `.ics`
/// attachment: clients send one or both) that is a REPLY.
fn calendar_reply(message: &Message<'_>) -> Option<CalendarReply> {
    message.parts.iter().find_map(|part| {
        let (kind, sub) = content_type(part);
        let named_ics = part
            .attachment_name()
            .is_some_and(|name| name.to_ascii_lowercase().ends_with(".ics"));
        let is_calendar = (kind == "text" && sub == "calendar")
            || (kind == "application" && sub == "ics")
            || named_ics;
        if !is_calendar {
            return None;
        }
        let text = String::from_utf8_lossy(part.contents());
        read_reply(&text)
    })
}

/// The REPLY's event: UID, SEQUENCE, the attendee and their PARTSTAT.
pub fn read_reply(text: &str) -> Option<CalendarReply> {
    let unfolded = icalendar::parser::unfold(text);
    let calendar = icalendar::parser::read_calendar(&unfolded).ok()?;
    let method = calendar
        .properties
        .iter()
        .find(|p| p.name == "METHOD")?
        .val
        .as_str()
        .trim()
        .to_ascii_uppercase();
    if method != "REPLY" {
        return None;
    }
    let event = calendar.components.iter().find(|c| c.name == "VEVENT")?;
    let attendee = event.find_prop("ATTENDEE")?;
    let address = attendee.val.as_str().trim();
    let address = address
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
        .map_or(address, |_| &address[7..]);
    let partstat = attendee
        .params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case("PARTSTAT"))
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str().trim().to_ascii_uppercase())?;
    Some(CalendarReply {
        uid: event.find_prop("UID")?.val.as_str().trim().to_owned(),
        sequence: event
            .find_prop("SEQUENCE")
            .and_then(|p| p.val.as_str().trim().parse().ok())
            .unwrap_or(0),
        attendee: address.trim().to_lowercase(),
        partstat,
        comment: event
            .find_prop("COMMENT")
            .map(|p| {
                clip(
                    &p.val.clone().unescape_text().as_str().replace("\\n", " "),
                    300,
                )
            })
            .filter(|c| !c.is_empty()),
    })
}

/// A `multipart/report; report-type=delivery-status`, read for the
/// original Message-ID and each recipient's fate.
fn delivery_report(message: &Message<'_>) -> Option<DeliveryReport> {
    let status = message.parts.iter().find(|part| {
        let (kind, sub) = content_type(part);
        kind == "message" && (sub == "delivery-status" || sub == "global-delivery-status")
    })?;
    let recipients = read_status_fields(&String::from_utf8_lossy(status.contents()));
    let original = message.parts.iter().find_map(|part| match &part.body {
        PartType::Message(inner) => inner.message_id().map(|id| format!("<{}>", id.trim())),
        _ => {
            let (kind, sub) = content_type(part);
            (kind == "text" && sub == "rfc822-headers")
                .then(|| MessageParser::default().parse_headers(part.contents()))
                .flatten()
                .and_then(|headers| headers.message_id().map(|id| format!("<{}>", id.trim())))
        }
    });
    Some(DeliveryReport {
        original,
        recipients,
    })
}

/// The per-recipient blocks of a `message/delivery-status` body: header
/// fields, blocks separated by blank lines, the first one per message.
fn read_status_fields(text: &str) -> Vec<RecipientStatus> {
    let mut recipients = Vec::new();
    for block in text.replace("\r\n", "\n").split("\n\n") {
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in block.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':') {
                fields.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let Some(action) = field("action") else {
            continue;
        };
        // "rfc822; someone@example.fr", "smtp; 550 5.1.1 …"
        let after_type = |value: String| match value.split_once(';') {
            Some((_, rest)) => rest.trim().to_owned(),
            None => value,
        };
        recipients.push(RecipientStatus {
            recipient: field("final-recipient")
                .or_else(|| field("original-recipient"))
                .map(after_type)
                .map(|r| r.to_lowercase()),
            action: action.to_ascii_lowercase(),
            status: field("status")
                .map(|s| s.split_whitespace().next().unwrap_or_default().to_owned()),
            diagnostic: field("diagnostic-code").map(after_type),
        });
    }
    recipients
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_with_folded_lines_and_a_mailto_in_capitals() {
        let text = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:m-1@clu\r\nSEQUENCE:3\r\n\
            ATTENDEE;CN=\"Nathalie SIMON\";PARTSTAT=DECLINED:MAILTO:N.Simon@\r\n Example.fr\r\n\
            COMMENT:Je serai en d\\, congé\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let reply = read_reply(text).expect("a reply");
        assert_eq!(reply.uid, "m-1@clu");
        assert_eq!(reply.sequence, 3);
        assert_eq!(reply.attendee, "n.simon@example.fr");
        assert_eq!(reply.partstat, "DECLINED");
        assert_eq!(reply.comment.as_deref(), Some("Je serai en d, congé"));
    }

    #[test]
    fn a_request_is_not_a_reply() {
        let text = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\n\
            ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.fr\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_eq!(read_reply(text), None);
    }

    #[test]
    fn status_fields_give_each_recipient_and_a_french_reason() {
        let text = "Reporting-MTA: dns; mx.example.fr\r\n\r\nFinal-Recipient: rfc822; a@b.fr\r\n\
            Action: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox\r\n full\r\n";
        let recipients = read_status_fields(text);
        assert_eq!(recipients.len(), 1);
        let first = &recipients[0];
        assert_eq!(first.recipient.as_deref(), Some("a@b.fr"));
        assert_eq!(first.action, "failed");
        assert_eq!(
            first.reason(),
            "boîte aux lettres pleine (code 5.2.2) : 552 5.2.2 Mailbox full"
        );
    }

    #[test]
    fn a_message_without_id_is_keyed_by_its_bytes() {
        let one = parse(b"Subject: a\r\n\r\nbody\r\n");
        let two = parse(b"Subject: a\r\n\r\nother body\r\n");
        assert!(one.key.starts_with("sha256:"));
        assert_ne!(one.key, two.key);
        assert_eq!(one.subject.as_deref(), Some("a"));
    }

    #[test]
    fn robots_are_recognised() {
        let vacation = parse(
            b"Message-ID: <v@x>\r\nAuto-Submitted: auto-replied\r\nSubject: Absent\r\n\r\nbody\r\n",
        );
        assert!(vacation.automatic);
        let person =
            parse(b"Message-ID: <p@x>\r\nAuto-Submitted: no\r\nSubject: Re\r\n\r\nbody\r\n");
        assert!(!person.automatic);
        assert_eq!(person.key, "<p@x>");
    }
}
