-- The mail that comes back to clu's mailbox (calendar answers, delivery
-- failures, replies): one row per message handled, its key unique, so that
-- a message is handled once however many servers read the mailbox.
CREATE TABLE inbound_messages (
    id TEXT PRIMARY KEY NOT NULL,
    message_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    structure_id TEXT REFERENCES structures (id),
    meeting_id TEXT REFERENCES meetings (id),
    invitation_id TEXT REFERENCES invitations (id),
    sender TEXT,
    subject TEXT,
    outcome TEXT NOT NULL,
    received_at TIMESTAMP,
    handled_at TIMESTAMP NOT NULL
);
CREATE INDEX inbound_messages_meeting ON inbound_messages (meeting_id, kind, handled_at);
-- How an answer arrived (link, calendar, staff) and what it said beyond
-- yes or no (a calendar's "peut-être").
ALTER TABLE invitations ADD COLUMN answered_via TEXT;
ALTER TABLE invitations ADD COLUMN response_note TEXT;
-- A delivery failure reported after the message left: the outbox row goes
-- to status 'bounced', with the reason in last_error.
CREATE INDEX outbox_message_id ON outbox (message_id);
