-- Structures, staff accounts, audit trail and login throttling.
-- Identifiers are UUIDs kept as text; instants are UTC in TIMESTAMP columns.

CREATE TABLE structures (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    department_code TEXT NOT NULL,
    city TEXT NOT NULL,
    service_name TEXT NOT NULL,
    letterhead TEXT NOT NULL,
    case_officer_name TEXT,
    case_officer_phone TEXT,
    case_officer_email TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT REFERENCES structures (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'secretariat', 'signatory', 'reader')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    token_version INTEGER NOT NULL DEFAULT 0,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((role = 'admin') = (structure_id IS NULL))
);
CREATE INDEX users_structure ON users (structure_id);

-- Never updated nor deleted. actor_id has no foreign key: the trail outlives
-- the accounts it names.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT REFERENCES structures (id),
    actor_id TEXT,
    actor_email TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_structure_time ON audit_events (structure_id, created_at);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);

-- Failed logins of the last minutes, by e-mail and by client address.
CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    throttle_key TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key_time ON login_failures (throttle_key, failed_at);
