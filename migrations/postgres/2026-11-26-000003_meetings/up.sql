-- Meetings, their agenda, invitations (one per invited member, carrying the
-- answer and the roll call), and the outbox of e-mails to send.

CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    committee_id TEXT NOT NULL REFERENCES committees (id),
    title TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    location TEXT,
    mode TEXT NOT NULL CHECK (mode IN ('in_person', 'remote', 'hybrid')),
    chair_member_id TEXT REFERENCES members (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'convened', 'held', 'minutes_draft', 'minutes_submitted', 'minutes_signed', 'cancelled')),
    -- The iCalendar SEQUENCE: raised by each change sent to the invited.
    sequence INTEGER NOT NULL DEFAULT 0,
    auto_reminder_sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_committee ON meetings (committee_id, starts_at);
CREATE INDEX meetings_status_start ON meetings (status, starts_at);

CREATE TABLE agenda_items (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    presenter TEXT,
    annex_label TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    -- The address the invitation went to (null: recorded at the roll call).
    email TEXT,
    response TEXT NOT NULL CHECK (response IN ('pending', 'accepted', 'declined')),
    mode TEXT CHECK (mode IN ('in_person', 'remote')),
    presence TEXT NOT NULL CHECK (presence IN ('unknown', 'present', 'excused', 'absent')),
    responded_at TIMESTAMP,
    -- Set when the answer link must no longer work (anonymisation).
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX invitations_meeting_member ON invitations (meeting_id, member_id);
CREATE INDEX invitations_member ON invitations (member_id);

-- Rendered e-mails waiting to leave, written in the transaction of the
-- change that causes them, claimed by the worker, retried with backoff.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT REFERENCES structures (id),
    kind TEXT NOT NULL,
    meeting_id TEXT REFERENCES meetings (id),
    invitation_id TEXT REFERENCES invitations (id),
    recipient TEXT NOT NULL,
    -- JSON: subject, text and HTML bodies, optional iCalendar part.
    content TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claim TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_invitation ON outbox (invitation_id);
