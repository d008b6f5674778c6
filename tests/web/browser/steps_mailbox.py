"""The mail that comes back, on the running server: a second meeting is
convened through the API; its invitation asks the calendar for an answer
(ORGANIZER is clu's mailbox, RSVP=TRUE); Mylène BÉGUÉ clicks "Accepter" in
Thunderbird and Jean-Paul PIERRON's server bounces the invitation. Both
messages are put in the real IMAP server (dovecot) the way mail servers
deliver them, with her written reply; `clu serve` reads them (IDLE) and
the attendance page shows the calendar answer and the undelivered
invitation, with its reason; so do the invitations page and the
dashboard; the reply is forwarded and listed on the meeting's page."""

import datetime
import imaplib
import os
import re
import time
import uuid

from common import BASE, api, created, expect, fail, look, received, visible

IMAP_PORT = int(os.environ["IMAP_PORT"])
IMAP_USER = os.environ["IMAP_USER"]
IMAP_PASSWORD = os.environ["IMAP_PASSWORD"]


def deliver(raw):
    """Puts a message in clu's mailbox, as the mail server would."""
    imap = imaplib.IMAP4("127.0.0.1", IMAP_PORT)
    imap.login(IMAP_USER, IMAP_PASSWORD)
    status, _ = imap.append("INBOX", None, None, raw.encode())
    imap.logout()
    if status != "OK":
        fail(f"IMAP APPEND answered {status}")


def calendar_of(message):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content().replace("\r\n ", "").replace("\n ", "")
    fail("the invitation has no calendar part")


def thunderbird_accept(uid, sequence, attendee, name):
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\nVERSION:2.0\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nDTSTAMP:20261206T100000Z\r\n"
        f"UID:{uid}\r\nSUMMARY:Comité local des usagers\r\n"
        f"ATTENDEE;RSVP=TRUE;CN={name};PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:{attendee}\r\n"
        f"SEQUENCE:{sequence}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    boundary = "------------tb" + uuid.uuid4().hex
    return (
        f"Message-ID: <{uuid.uuid4()}@example.fr>\r\nDate: Sun, 6 Dec 2026 11:00:00 +0100\r\n"
        f"MIME-Version: 1.0\r\nUser-Agent: Mozilla Thunderbird\r\nTo: {IMAP_USER}\r\n"
        f"From: {name} <{attendee}>\r\nSubject: =?UTF-8?Q?Accept=C3=A9=3A_Comit=C3=A9_local_des_usagers?=\r\n"
        f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{name} a accepté votre invitation.\r\n\r\n--{boundary}\r\n"
        "Content-Type: text/calendar; charset=UTF-8; method=REPLY\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{ics}\r\n--{boundary}--\r\n")


def postfix_bounce(original_id, recipient):
    boundary = "ABC" + uuid.uuid4().hex
    return (
        "From: MAILER-DAEMON@mx.example.fr (Mail Delivery System)\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nTo: {IMAP_USER}\r\nAuto-Submitted: auto-replied\r\n"
        f"Message-Id: <{uuid.uuid4()}@mx.example.fr>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"<{recipient}>: host mail.example.fr said: 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.fr\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown in virtual mailbox table\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: clu@localhost\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\nSubject: Invitation\r\n\r\n"
        f"--{boundary}--\r\n")


def human_reply(original_id, sender, text):
    return (
        f"From: Mylène Bégué <{sender}>\r\nTo: {IMAP_USER}\r\nSubject: Re: Invitation\r\n"
        f"Message-ID: <{uuid.uuid4()}@example.fr>\r\nIn-Reply-To: {original_id}\r\nReferences: {original_id}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{text}\r\n")


def run(walk):
    page, sec = walk.page, walk.sec
    day = datetime.date.today() + datetime.timedelta(days=20)
    meeting = created("POST", f"/committees/{walk.committee_id}/meetings", sec, {
        "title": "Comité local des usagers — séance de printemps",
        "starts_at": f"{day.isoformat()}T13:30:00Z", "ends_at": f"{day.isoformat()}T15:30:00Z",
        "location": "Salle Louise Michel", "mode": "in_person"})["id"]
    created("POST", f"/meetings/{meeting}/invitations", sec, {})
    ours = []
    deadline = time.time() + 30
    while len(ours) < 2 and time.time() < deadline:
        ours = [m for m in received(0, timeout=0) if m.get_content_type() != "text/plain"
                and any(p.get_content_type() == "text/calendar" and meeting in p.get_content() for p in m.walk())]
        time.sleep(0.2)
    expect(len(ours) == 2, f"the two invitations to the second meeting arrived ({len(ours)})")
    hers = next((m for m in ours if "mylene.begue" in str(m["To"])), None)
    his = next((m for m in ours if "pierron" in str(m["To"])), None)
    if hers is None or his is None:
        fail("the invitations to Mylène BÉGUÉ and Jean-Paul PIERRON are not both there")
    ics = calendar_of(hers)
    expect(f"mailto:{IMAP_USER}" in ics and "RSVP=TRUE" in ics,
           "the invitation names clu's mailbox as organizer and asks the calendar to answer")
    expect(str(his["Auto-Submitted"]) == "auto-generated", "the invitation says it is automatic (RFC 3834)")
    uid = re.search(r"^UID:(.+)$", ics, re.M).group(1).strip()
    sequence = re.search(r"^SEQUENCE:(\d+)$", ics, re.M).group(1)
    address = re.search(r"[\w.+-]+@[\w.-]+", str(hers["To"])).group(0)
    deliver(thunderbird_accept(uid, sequence, address, "Mylène Bégué"))
    deliver(postfix_bounce(str(his["Message-ID"]).strip(), "jean-paul.pierron@example.fr"))
    deliver(human_reply(str(hers["Message-ID"]).strip(), address, "Je viendrai avec le bilan de l’UDAF."))

    meeting_url = f"{BASE}/reunions/{meeting}"
    page.goto(meeting_url + "/presences")
    for _ in range(100):
        if (page.get_by_text("Réponse depuis son agenda").count() == 1
                and page.locator(".fr-badge", has_text="Non distribuée").count() == 1):
            break
        time.sleep(0.3)
        page.reload()
    row = page.locator("tr", has_text="Mylène BÉGUÉ")
    expect(visible(row.get_by_text("Réponse depuis son agenda"))
           and visible(row.get_by_text("accepte (sur place)")),
           "the calendar's answer shows on the attendance page, marked as such")
    row = page.locator("tr", has_text="Jean-Paul PIERRON")
    expect(visible(row.get_by_text("Non distribuée"))
           and visible(row.get_by_text(re.compile("adresse inconnue du serveur destinataire"))),
           "the undelivered invitation shows on the attendance page with its reason")
    look(page, "presences-retours")

    page.goto(meeting_url + "/invitations")
    expect(visible(page.locator(".fr-badge", has_text="non distribuée"))
           and page.get_by_role("button", name=re.compile("Renvoyer")).count() >= 1,
           "the invitations page shows it undelivered, with a button to send it again")
    look(page, "invitations-retours")
    page.goto(meeting_url)
    replies = page.locator("#reponses-ecrites + .fr-table tbody tr")
    expect(replies.count() == 1 and "Re: Invitation" in replies.first.inner_text()
           and address in replies.first.inner_text(),
           "Mylène's written reply is listed on the meeting's page, with its sender and subject")
    look(page, "reunion-retours")
    forwarded = []
    deadline = time.time() + 30
    while not forwarded and time.time() < deadline:
        forwarded = [m for m in received(0, timeout=0)
                     if "secretariat@parcours.test" in str(m["To"]) and "Réponse d’un membre" in str(m["Subject"])]
        time.sleep(0.2)
    expect(len(forwarded) == 1, "the reply is forwarded to the secrétariat")
    page.goto(BASE + "/tableau-de-bord")
    expect(visible(page.get_by_text(re.compile(r"1 invitation non distribuée"))),
           "the dashboard counts the undelivered invitation")
