//! E-mail: what a message holds, how it is built and sent (SMTP, or `.eml`
//! files when no server is set), and the calendar invitations. The worker
//! that drains the outbox is `crate::worker`.

pub mod ics;
pub mod imap;
pub mod inbound;
pub mod message;
pub mod transport;

use serde::{Deserialize, Serialize};

/// A rendered e-mail, as kept in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// An iCalendar part and its METHOD (REQUEST, CANCEL).
    pub calendar: Option<CalendarPart>,
    #[serde(default)]
    pub attachments: Vec<AttachmentPart>,
    /// Where a person's reply should go (the secrétariat's address).
    #[serde(default)]
    pub reply_to: Option<String>,
}

/// A file sent with the message (the signed PDF).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentPart {
    pub filename: String,
    pub content_type: String,
    /// The bytes, base64.
    pub base64: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarPart {
    pub method: String,
    pub body: String,
}
