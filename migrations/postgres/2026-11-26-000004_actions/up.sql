-- The action plan followed from meeting to meeting, and the quality
-- indicators with their values per period.

CREATE TABLE actions (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    committee_id TEXT NOT NULL REFERENCES committees (id),
    number INTEGER,
    finding TEXT NOT NULL,
    reference TEXT,
    -- JSON array of {kind, date}.
    sources TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    due_date DATE,
    completed_on DATE,
    cancel_reason TEXT,
    description TEXT,
    responsible TEXT,
    effective BOOLEAN,
    verification TEXT,
    meeting_id TEXT REFERENCES meetings (id),
    -- JSON array of the ids of the meetings that discussed it.
    discussed_in TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX actions_committee_number ON actions (committee_id, number);
CREATE INDEX actions_status_due ON actions (committee_id, status, due_date);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY NOT NULL,
    structure_id TEXT NOT NULL REFERENCES structures (id),
    committee_id TEXT NOT NULL REFERENCES committees (id),
    name TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('percent', 'days', 'per_mille', 'count')),
    direction TEXT NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better')),
    target DOUBLE PRECISION,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX indicators_committee ON indicators (committee_id);

CREATE TABLE indicator_values (
    id TEXT PRIMARY KEY NOT NULL,
    indicator_id TEXT NOT NULL REFERENCES indicators (id),
    period TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX indicator_values_period ON indicator_values (indicator_id, period);
