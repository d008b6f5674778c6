-- The registry: organizations, members, committees and who sits where.
-- search_key columns hold the folded text (lower case, no accents, no
-- punctuation) searched with LIKE, identically on both backends.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    name TEXT NOT NULL,
    acronym TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('association', 'public_service', 'institution', 'elected_body', 'other')),
    email TEXT,
    phone TEXT,
    name_key TEXT NOT NULL,
    search_key TEXT NOT NULL,
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One organization per name (folded) within a structure.
CREATE UNIQUE INDEX organizations_structure_name ON organizations (structure_id, name_key);

CREATE TABLE members (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    civility TEXT CHECK (civility IN ('M.', 'Mme')),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    function TEXT,
    organization_id TEXT REFERENCES organizations (id),
    email TEXT,
    phone TEXT,
    search_key TEXT NOT NULL,
    archived_at TIMESTAMP,
    anonymized_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX members_structure_name ON members (structure_id, last_name, first_name);
CREATE INDEX members_organization ON members (organization_id);

CREATE TABLE committees (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('clu', 'clac', 'copil', 'other')),
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX committees_structure ON committees (structure_id, name);

CREATE TABLE memberships (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    committee_id TEXT NOT NULL REFERENCES committees (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    role TEXT NOT NULL CHECK (role IN ('chair', 'secretary', 'member', 'guest')),
    since DATE,
    until DATE,
    substitute_for TEXT REFERENCES memberships (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX memberships_committee ON memberships (committee_id);
CREATE INDEX memberships_member ON memberships (member_id);
CREATE INDEX memberships_substitute_for ON memberships (substitute_for);
