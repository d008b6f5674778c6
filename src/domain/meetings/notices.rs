//! The e-mails a meeting sends to members (invitation, update,
//! cancellation, reminder): rendered from `templates/email/` and written to
//! the outbox in the caller's transaction, so they leave only if it commits.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::print::{self, MeetingContext, MemberContext};
use crate::db::DbConn;
use crate::domain::Found;
use crate::error::{AppError, AppResult};
use crate::mail::ics::{self, Invite, Method, Person};
use crate::mail::{CalendarPart, Content};
use crate::store::invitations::InvitationRow;
use crate::store::meetings::MeetingRow;
use crate::store::members::MemberRow;
use crate::store::outbox::OutboxRow;
use crate::store::{self, Scope};
use crate::templates::Templates;

/// Everything needed to write mail from inside a transaction (it runs on
/// the blocking pool, so it owns what it uses).
#[derive(Clone)]
pub struct Notices {
    pub now: DateTime<Utc>,
    templates: Arc<Templates>,
    keys: crate::auth::token::TokenKeys,
    public_url: String,
    sender: String,
    mail_domain: String,
    /// The mailbox clu reads, when there is one: the invitations'
    /// organizer, and calendars are asked for an answer (RSVP).
    mailbox: Option<String>,
    /// A calendar alarm this many hours before (0: none).
    alarm_hours: i64,
}

#[derive(Serialize)]
struct EmailContext<'a> {
    #[serde(flatten)]
    meeting: &'a MeetingContext,
    member: MemberContext,
    rsvp_url: String,
    deadline: String,
    changes: &'a [String],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invitation,
    Update,
    Cancellation,
    Reminder,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Update => "update",
            Self::Cancellation => "cancellation",
            Self::Reminder => "reminder",
        }
    }

    fn calendar(self) -> Option<Method> {
        match self {
            Self::Invitation | Self::Update => Some(Method::Request),
            Self::Cancellation => Some(Method::Cancel),
            Self::Reminder => None,
        }
    }
}

impl Notices {
    /// The notices written at `now`, signed with `keys`, from `mail_from`
    /// ("clu <clu@prefecture.gouv.fr>" or a bare address).
    pub fn new(
        now: DateTime<Utc>,
        templates: Arc<Templates>,
        keys: crate::auth::token::TokenKeys,
        public_url: &str,
        mail_from: &str,
    ) -> Self {
        let address = mail_from
            .rsplit('<')
            .next()
            .unwrap_or(mail_from)
            .trim_end_matches('>')
            .to_owned();
        let mail_domain = address.rsplit('@').next().unwrap_or("localhost").to_owned();
        Self {
            now,
            templates,
            keys,
            public_url: public_url.to_owned(),
            sender: address,
            mail_domain,
            mailbox: None,
            alarm_hours: 0,
        }
    }

    /// With the mailbox clu reads (its address), and the calendar alarm.
    pub fn with_calendar(mut self, mailbox: Option<String>, alarm_hours: i64) -> Self {
        self.mailbox = mailbox;
        self.alarm_hours = alarm_hours;
        self
    }

    pub fn keys(&self) -> &crate::auth::token::TokenKeys {
        &self.keys
    }

    /// The member's personal answer link, valid until the meeting starts.
    pub fn rsvp_path(&self, invitation_id: &str, meeting: &MeetingRow) -> AppResult<String> {
        let token = self
            .keys
            .issue_rsvp(invitation_id, self.now, meeting.starts_at.and_utc())?;
        Ok(format!("/rsvp/{token}"))
    }

    /// The invitation e-mail to one member.
    pub fn invite(
        &self,
        conn: &mut DbConn,
        meeting: &MeetingRow,
        invitation: &InvitationRow,
        member: &MemberRow,
    ) -> AppResult<()> {
        let context = print::meeting_context(conn, meeting)?;
        self.enqueue(
            conn,
            Kind::Invitation,
            &context,
            meeting,
            invitation,
            member,
            &[],
        )
    }

    /// Tells every invited member (answer link still valid) of a change.
    pub fn meeting_changed(
        &self,
        conn: &mut DbConn,
        meeting: &MeetingRow,
        changes: &[String],
    ) -> AppResult<usize> {
        self.to_all_invited(conn, Kind::Update, meeting, changes, |_| true)
    }

    pub fn meeting_cancelled(&self, conn: &mut DbConn, meeting: &MeetingRow) -> AppResult<usize> {
        self.to_all_invited(conn, Kind::Cancellation, meeting, &[], |_| true)
    }

    /// Reminds the invited who have not answered (and, when given, were
    /// invited before `invited_before`).
    pub fn remind(
        &self,
        conn: &mut DbConn,
        meeting: &MeetingRow,
        invited_before: Option<chrono::NaiveDateTime>,
    ) -> AppResult<usize> {
        self.to_all_invited(conn, Kind::Reminder, meeting, &[], |invitation| {
            invitation.response == "pending"
                && invited_before.is_none_or(|limit| invitation.created_at < limit)
        })
    }

    fn to_all_invited(
        &self,
        conn: &mut DbConn,
        kind: Kind,
        meeting: &MeetingRow,
        changes: &[String],
        wanted: impl Fn(&InvitationRow) -> bool,
    ) -> AppResult<usize> {
        let context = print::meeting_context(conn, meeting)?;
        let mut queued = 0;
        for (invitation, member) in store::invitations::of_meeting(conn, &meeting.id)? {
            if invitation.email.is_none() || invitation.revoked_at.is_some() || !wanted(&invitation)
            {
                continue;
            }
            self.enqueue(conn, kind, &context, meeting, &invitation, &member, changes)?;
            queued += 1;
        }
        Ok(queued)
    }

    #[expect(clippy::too_many_arguments, reason = "one message is all of these")]
    fn enqueue(
        &self,
        conn: &mut DbConn,
        kind: Kind,
        context: &MeetingContext,
        meeting: &MeetingRow,
        invitation: &InvitationRow,
        member: &MemberRow,
        changes: &[String],
    ) -> AppResult<()> {
        let Some(recipient) = invitation.email.clone() else {
            return Ok(());
        };
        let organization = match &member.organization_id {
            Some(id) => Some(
                store::organizations::find(
                    conn,
                    &Scope::Structure(member.structure_id.clone()),
                    id,
                )
                .found()?
                .name,
            ),
            None => None,
        };
        let member_context = print::member_context(member, organization);
        let data = EmailContext {
            meeting: context,
            rsvp_url: format!(
                "{}{}",
                self.public_url,
                self.rsvp_path(&invitation.id, meeting)?
            ),
            deadline: crate::french::date_time(meeting.starts_at.and_utc()),
            changes,
            member: member_context.clone(),
        };
        let folder = format!("email/{}", kind.as_str());
        let subject = self
            .templates
            .render(&format!("{folder}/subject.hbs"), &data)?;
        let calendar = kind.calendar().map(|method| CalendarPart {
            method: method.as_str().into(),
            body: ics::render(&Invite {
                method,
                uid: &format!("{}@{}", meeting.id, self.mail_domain),
                sequence: meeting.sequence,
                summary: &format!("{} — {}", context.committee.name, meeting.title),
                description: &agenda_text(context),
                location: meeting.location.as_deref(),
                starts_at: meeting.starts_at.and_utc(),
                ends_at: meeting.ends_at.and_utc(),
                stamp: self.now,
                organizer: Person {
                    name: &context.structure.name,
                    email: self.mailbox.as_deref().unwrap_or(&self.sender),
                },
                attendee: Person {
                    name: &member_context.display,
                    email: &recipient,
                },
                rsvp: self.mailbox.is_some(),
                alarm_hours: self.alarm_hours,
            }),
        });
        let content = Content {
            subject: subject.lines().next().unwrap_or_default().trim().to_owned(),
            text: self
                .templates
                .render(&format!("{folder}/body.txt.hbs"), &data)?,
            html: self
                .templates
                .render(&format!("{folder}/body.html.hbs"), &data)?,
            calendar,
            attachments: Vec::new(),
            reply_to: context.structure.case_officer.email.clone(),
        };
        self.push(
            conn,
            kind.as_str(),
            meeting,
            Some(&invitation.id),
            Some(&member.id),
            recipient,
            &content,
        )
    }

    /// Writes one message to the outbox.
    #[expect(clippy::too_many_arguments, reason = "one message is all of these")]
    fn push(
        &self,
        conn: &mut DbConn,
        kind: &str,
        meeting: &MeetingRow,
        invitation_id: Option<&str>,
        member_id: Option<&str>,
        recipient: String,
        content: &Content,
    ) -> AppResult<()> {
        let id = store::new_id();
        store::outbox::insert(
            conn,
            &OutboxRow {
                message_id: format!("<{id}@{}>", self.mail_domain),
                id,
                structure_id: Some(meeting.structure_id.clone()),
                kind: kind.into(),
                meeting_id: Some(meeting.id.clone()),
                invitation_id: invitation_id.map(Into::into),
                recipient,
                content: serde_json::to_string(content).map_err(AppError::internal)?,
                status: "queued".into(),
                attempts: 0,
                next_attempt_at: self.now.naive_utc(),
                claim: None,
                claimed_until: None,
                last_error: None,
                sent_at: None,
                created_at: self.now.naive_utc(),
                member_id: member_id.map(Into::into),
            },
        )?;
        Ok(())
    }

    /// The signed compte-rendu to one member, its PDF attached.
    #[expect(clippy::too_many_arguments, reason = "one message is all of these")]
    pub fn distribute(
        &self,
        conn: &mut DbConn,
        meeting: &MeetingRow,
        context: &MeetingContext,
        member: &MemberRow,
        member_context: &MemberContext,
        recipient: &str,
        revision: i32,
        pdf: &[u8],
    ) -> AppResult<()> {
        use base64::Engine;
        let data = serde_json::json!({
            "structure": context.structure,
            "committee": context.committee,
            "meeting": context.meeting,
            "member": member_context,
            "revision": revision,
            "annexes": context.annexes,
            "verify_url": self.url("/verify"),
        });
        let mut content = self.content("distribution", &data)?;
        content.reply_to = context.structure.case_officer.email.clone();
        content.attachments.push(crate::mail::AttachmentPart {
            filename: format!(
                "compte-rendu-{}.pdf",
                crate::clock::paris_date(meeting.starts_at.and_utc())
            ),
            content_type: "application/pdf".into(),
            base64: base64::engine::general_purpose::STANDARD.encode(pdf),
        });
        self.push(
            conn,
            "distribution",
            meeting,
            None,
            Some(&member.id),
            recipient.to_owned(),
            &content,
        )
    }
}

impl Notices {
    /// A message about `meeting` to a member of the staff (no member), from
    /// `templates/email/{folder}/`, with what `extra` adds (a forwarded
    /// reply's original, and its sender to answer to).
    pub fn to_staff(
        &self,
        conn: &mut DbConn,
        folder: &str,
        meeting: &MeetingRow,
        recipient: &str,
        data: &serde_json::Value,
        extra: StaffExtra,
    ) -> AppResult<()> {
        let mut content = self.content(folder, data)?;
        content.attachments = extra.attachments;
        content.reply_to = extra.reply_to;
        self.push(
            conn,
            folder,
            meeting,
            None,
            None,
            recipient.to_owned(),
            &content,
        )
    }

    /// A message from `templates/email/{folder}/`: its subject's first
    /// line, its text and HTML bodies; no calendar part, no attachment.
    fn content(&self, folder: &str, data: &impl Serialize) -> AppResult<Content> {
        let subject = self
            .templates
            .render(&format!("email/{folder}/subject.hbs"), data)?;
        Ok(Content {
            subject: subject.lines().next().unwrap_or_default().trim().to_owned(),
            text: self
                .templates
                .render(&format!("email/{folder}/body.txt.hbs"), data)?,
            html: self
                .templates
                .render(&format!("email/{folder}/body.html.hbs"), data)?,
            calendar: None,
            attachments: Vec::new(),
            reply_to: None,
        })
    }

    /// The public address of a path (`/reunions/…`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

/// What a message to the staff may carry besides its text.
#[derive(Debug, Default)]
pub struct StaffExtra {
    pub attachments: Vec<crate::mail::AttachmentPart>,
    /// Where "Répondre" goes (a forwarded reply's sender).
    pub reply_to: Option<String>,
}

/// The agenda as the calendar event's description.
fn agenda_text(context: &MeetingContext) -> String {
    let mut text = format!("{}\n{}", context.committee.name, context.meeting.hours);
    if !context.agenda.is_empty() {
        text.push_str("\n\nOrdre du jour :");
        for item in &context.agenda {
            text.push_str(&format!("\n{}. {}", item.number, item.title));
        }
    }
    text
}
