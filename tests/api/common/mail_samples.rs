//! Messages as they come back to clu's mailbox, built the way their
//! senders build them: Outlook's and Thunderbird's answers to an
//! invitation (their PRODID, MIME layout and encodings), a Postfix
//! delivery status notification, an Exchange out-of-office reply, and a
//! person's plain reply.

use base64::Engine;
use diesel::prelude::*;
use serde_json::Value;

use super::TestApp;

fn b64_lines(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    encoded
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn id(tag: &str) -> String {
    format!("{tag}.{}", uuid::Uuid::new_v4().simple())
}

/// What the answer is about.
pub struct Answer<'a> {
    /// The event's UID, as the invitation gave it.
    pub uid: &'a str,
    pub sequence: i32,
    pub attendee: &'a str,
    pub name: &'a str,
    /// ACCEPTED, DECLINED, TENTATIVE.
    pub partstat: &'a str,
    /// Where the answer goes: the invitation's ORGANIZER.
    pub organizer: &'a str,
}

/// An answer to the invitation clu's mailbox sent out.
pub fn answer<'a>(uid: &'a str, sequence: i32, attendee: &'a str, partstat: &'a str) -> Answer<'a> {
    Answer {
        uid,
        sequence,
        attendee,
        name: "Membre du comité",
        partstat,
        organizer: super::imap::USER,
    }
}

/// Outlook (Exchange): multipart/alternative, a base64 text part and the
/// calendar part `method=REPLY`, Windows time zone names, an empty COMMENT.
pub fn outlook_reply(answer: &Answer<'_>) -> Vec<u8> {
    let verb = match answer.partstat {
        "ACCEPTED" => "Accepté",
        "DECLINED" => "Refusé",
        _ => "Provisoire",
    };
    let ics = format!(
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n\
BEGIN:VTIMEZONE\r\nTZID:Romance Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\n\
TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\n\
END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n\
END:VTIMEZONE\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT={partstat};CN={name}:mailto:{attendee}\r\n\
COMMENT;LANGUAGE=fr-FR:\\n\r\nSUMMARY;LANGUAGE=fr-FR:{verb}: Comité local des usagers\r\n\
DTSTART;TZID=Romance Standard Time:20311113T143000\r\nDTEND;TZID=Romance Standard Time:20311113T163000\r\n\
UID:{uid}\r\nCLASS:PUBLIC\r\nPRIORITY:5\r\nDTSTAMP:20311001T080000Z\r\nTRANSP:OPAQUE\r\n\
STATUS:CONFIRMED\r\nSEQUENCE:{sequence}\r\nLOCATION;LANGUAGE=fr-FR:Salle Louise Michel\r\n\
X-MICROSOFT-CDO-APPT-SEQUENCE:{sequence}\r\nX-MICROSOFT-CDO-OWNERAPPTID:-1\r\n\
X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\nX-MICROSOFT-CDO-INTENDEDSTATUS:BUSY\r\n\
X-MICROSOFT-CDO-ALLDAYEVENT:FALSE\r\nX-MICROSOFT-CDO-IMPORTANCE:1\r\n\
X-MICROSOFT-CDO-INSTTYPE:0\r\nX-MICROSOFT-DISALLOW-COUNTER:FALSE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        partstat = answer.partstat,
        name = answer.name,
        attendee = answer.attendee,
        uid = answer.uid,
        sequence = answer.sequence,
    );
    let boundary = "_000_PR1P264MB1234ABCDEFPR1P264MB1234FRAP_";
    format!(
        "Received: from PR1P264MB1234.FRAP264.PROD.OUTLOOK.COM ([fe80::1]) by\r\n \
PR1P264MB1234.FRAP264.PROD.OUTLOOK.COM with mapi id 15.20.7000.000; Wed, 1 Oct 2031 10:00:00 +0000\r\n\
From: \"{name}\" <{attendee}>\r\nTo: \"Préfecture\" <{organizer}>\r\n\
Subject: =?utf-8?B?{subject}?=\r\nThread-Topic: =?utf-8?B?{subject}?=\r\n\
Thread-Index: AQHXAAAAAAAAAAAAAAAAAAAAAAAAAA==\r\nDate: Wed, 1 Oct 2031 10:00:00 +0000\r\n\
Message-ID: <{message_id}@PR1P264MB1234.FRAP264.PROD.OUTLOOK.COM>\r\n\
Accept-Language: fr-FR, en-US\r\nContent-Language: fr-FR\r\nX-MS-Has-Attach:\r\n\
X-MS-TNEF-Correlator:\r\nContent-Type: multipart/alternative;\r\n\tboundary=\"{boundary}\"\r\n\
MIME-Version: 1.0\r\n\r\n--{boundary}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{text}\r\n\r\n--{boundary}\r\n\
Content-Type: text/calendar; charset=\"utf-8\"; method=REPLY\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{calendar}\r\n\r\n--{boundary}--\r\n",
        name = answer.name,
        attendee = answer.attendee,
        organizer = answer.organizer,
        subject = base64::engine::general_purpose::STANDARD
            .encode(format!("{verb}: Comité local des usagers")),
        message_id = id("PR1P264MB1234"),
        text = b64_lines(""),
        calendar = b64_lines(&ics),
    )
    .into_bytes()
}

/// Thunderbird: multipart/mixed, a text part in 8 bits saying what was
/// answered, the calendar part `method=REPLY`, and the same as an
/// `invite.ics` attachment in base64.
pub fn thunderbird_reply(answer: &Answer<'_>) -> Vec<u8> {
    let verb = match answer.partstat {
        "ACCEPTED" => "a accepté",
        "DECLINED" => "a refusé",
        _ => "a accepté provisoirement",
    };
    let ics = format!(
        "BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\n\
VERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n\
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\n\
TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\n\
CREATED:20311001T080000Z\r\nLAST-MODIFIED:20311001T100000Z\r\nDTSTAMP:20311001T100000Z\r\n\
UID:{uid}\r\nSUMMARY:Comité local des usagers\r\n\
ORGANIZER;CN=Préfecture de la Haute-Marne:mailto:{organizer}\r\n\
ATTENDEE;RSVP=TRUE;CN={name};PARTSTAT={partstat};ROLE=REQ-PARTICIPANT:mailto:{attendee}\r\n\
DTSTART;TZID=Europe/Paris:20311113T143000\r\nDTEND;TZID=Europe/Paris:20311113T163000\r\n\
SEQUENCE:{sequence}\r\nLOCATION:Salle Louise Michel\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        uid = answer.uid,
        organizer = answer.organizer,
        name = answer.name,
        partstat = answer.partstat,
        attendee = answer.attendee,
        sequence = answer.sequence,
    );
    let boundary = "------------Bs0Vf0Q3J1YzNrY0Q5a2Rn";
    format!(
        "Message-ID: <{message_id}@example.fr>\r\nDate: Wed, 1 Oct 2031 12:00:00 +0200\r\n\
MIME-Version: 1.0\r\nUser-Agent: Mozilla Thunderbird\r\nContent-Language: fr\r\n\
To: {organizer}\r\nFrom: {name} <{attendee}>\r\n\
Subject: =?UTF-8?Q?Refus=C3=A9=3A_Comit=C3=A9_local_des_usagers?=\r\n\
Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
This is a multi-part message in MIME format.\r\n--{boundary}\r\n\
Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
{name} {verb} votre invitation à l’évènement : Comité local des usagers\r\n\r\n\
--{boundary}\r\nContent-Type: text/calendar; charset=UTF-8; method=REPLY\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n{ics}\r\n--{boundary}\r\n\
Content-Type: application/ics; name=\"invite.ics\"\r\n\
Content-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
{attachment}\r\n\r\n--{boundary}--\r\n",
        message_id = id("b1c2d3"),
        organizer = answer.organizer,
        name = answer.name,
        attendee = answer.attendee,
        attachment = b64_lines(&ics),
    )
    .into_bytes()
}

/// Postfix's "Undelivered Mail Returned to Sender": a multipart/report
/// with the human text, the `message/delivery-status` and the original
/// message's headers.
pub fn postfix_bounce(original_message_id: &str, recipient: &str, status: &str) -> Vec<u8> {
    let boundary = "7C3A61204B.1917348000/mx.example.fr";
    format!(
        "Return-Path: <>\r\nDate: Wed, 1 Oct 2031 10:00:05 +0200 (CEST)\r\n\
From: MAILER-DAEMON@mx.example.fr (Mail Delivery System)\r\n\
Subject: Undelivered Mail Returned to Sender\r\nTo: {user}\r\nAuto-Submitted: auto-replied\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\
\tboundary=\"{boundary}\"\r\nContent-Transfer-Encoding: 8bit\r\n\
Message-Id: <{message_id}@mx.example.fr>\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n\
--{boundary}\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\
This is the mail system at host mx.example.fr.\r\n\r\n\
I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n\
<{recipient}>: host mail.example.fr[192.0.2.1] said: 550 {status}\r\n    <{recipient}>: Recipient address rejected\r\n\r\n\
--{boundary}\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.example.fr\r\nX-Postfix-Queue-ID: 7C3A61204B\r\n\
X-Postfix-Sender: rfc822; {user}\r\nArrival-Date: Wed,  1 Oct 2031 10:00:04 +0200 (CEST)\r\n\r\n\
Final-Recipient: rfc822; {recipient}\r\nOriginal-Recipient: rfc822;{recipient}\r\nAction: failed\r\n\
Status: {status}\r\nRemote-MTA: dns; mail.example.fr\r\n\
Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected:\r\n    User unknown in virtual mailbox table\r\n\r\n\
--{boundary}\r\nContent-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n\
Return-Path: <{user}>\r\nFrom: clu@localhost\r\nTo: {recipient}\r\n\
Subject: Invitation\r\nMessage-ID: {original_message_id}\r\nMIME-Version: 1.0\r\n\r\n--{boundary}--\r\n",
        user = super::imap::USER,
        message_id = id("20311001080005"),
    )
    .into_bytes()
}

/// Exchange's out-of-office reply to a message.
pub fn out_of_office(from: &str, in_reply_to: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {user}\r\nSubject: =?utf-8?Q?R=C3=A9ponse_automatique=C2=A0:_Invitation?=\r\n\
Date: Wed, 1 Oct 2031 10:00:10 +0000\r\nMessage-ID: <{message_id}@example.fr>\r\n\
In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\nAuto-Submitted: auto-replied\r\n\
X-MS-Exchange-Inbox-Rules-Loop: {from}\r\nX-Auto-Response-Suppress: All\r\n\
Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8bit\r\nMIME-Version: 1.0\r\n\r\n\
Je suis absente du bureau jusqu’au 15 octobre.\r\n",
        user = super::imap::USER,
        message_id = id("ooo"),
    )
    .into_bytes()
}

/// A person answering the invitation e-mail in words.
pub fn human_reply(from: &str, in_reply_to: &str, text: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {user}\r\nSubject: Re: Invitation au comité local des usagers\r\n\
Date: Wed, 1 Oct 2031 11:00:00 +0200\r\nMessage-ID: <{message_id}@example.fr>\r\n\
In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
{text}\r\n",
        user = super::imap::USER,
        message_id = id("reply"),
    )
    .into_bytes()
}

/// The invitation e-mail sent to `email`: its Message-ID and the event's
/// UID and SEQUENCE, as the member's calendar got them.
pub fn invitation_to(app: &TestApp, email: &str) -> (String, String, i32) {
    use clu::db::schema::outbox::dsl;
    let mut conn = app.state.db.get().expect("conn");
    let (message_id, content): (String, String) = dsl::outbox
        .filter(dsl::recipient.eq(email))
        .filter(dsl::kind.eq("invitation"))
        .select((dsl::message_id, dsl::content))
        .first(&mut *conn)
        .expect("an invitation to this address");
    let content: Value = serde_json::from_str(&content).expect("json");
    let ics = content["calendar"]["body"]
        .as_str()
        .expect("calendar")
        .replace("\r\n ", "");
    let field = |name: &str| {
        ics.lines()
            .find_map(|line| line.strip_prefix(name))
            .expect("field")
            .to_owned()
    };
    (
        message_id,
        field("UID:"),
        field("SEQUENCE:").parse().expect("sequence"),
    )
}
