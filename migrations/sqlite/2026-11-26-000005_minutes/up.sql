-- Minutes, revision by revision, and the documents signed from them:
-- stored bytes and their SHA-256, served identical forever.

CREATE TABLE minutes (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    revision INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'signed')),
    opening TEXT,
    -- JSON array of {agenda_item_id, body, remarks}.
    items TEXT NOT NULL,
    post_meeting_notes TEXT,
    closing_time TEXT,
    -- JSON array of {comment, by, at}: why it was returned to draft.
    comments TEXT NOT NULL,
    signed_by TEXT,
    signer_name TEXT,
    signer_function TEXT,
    signer_delegation TEXT,
    signed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX minutes_meeting_revision ON minutes (meeting_id, revision);

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    minutes_id TEXT NOT NULL REFERENCES minutes (id),
    revision INTEGER NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('html', 'md', 'pdf')),
    content BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX documents_minutes_format ON documents (minutes_id, format);
CREATE INDEX documents_sha256 ON documents (sha256);

-- Whom a message is for, when it is not about an invitation (distribution).
ALTER TABLE outbox ADD COLUMN member_id TEXT REFERENCES members (id);
CREATE INDEX outbox_member ON outbox (member_id);
