-- Files attached to a meeting or to one of its agenda items. Their bytes
-- live in the database, addressed by SHA-256 (the same file attached twice
-- is stored once), in chunks of at most 1 MiB read one at a time.
CREATE TABLE annex_contents (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE annex_chunks (
    sha256 TEXT NOT NULL REFERENCES annex_contents (sha256),
    seq INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);
CREATE TABLE annexes (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    agenda_item_id TEXT REFERENCES agenda_items (id),
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES annex_contents (sha256),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX annexes_meeting ON annexes (meeting_id, position);
CREATE INDEX annexes_content ON annexes (sha256);
