-- `?responsible=` matches a folded key (case, accents and punctuation
-- removed), filled by the application (`domain::actions::fill_responsible_keys`
-- runs after the migrations), so that both databases answer alike.
ALTER TABLE actions ADD COLUMN responsible_key TEXT;

-- The meetings that discussed an action: a table instead of a JSON list
-- searched with LIKE.
CREATE TABLE action_meetings (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (action_id, meeting_id)
);
CREATE INDEX action_meetings_meeting ON action_meetings (meeting_id);

INSERT OR IGNORE INTO action_meetings (action_id, meeting_id, position)
SELECT actions.id, listed.value, listed.key
FROM actions, json_each(actions.discussed_in) AS listed
WHERE EXISTS (SELECT 1 FROM meetings WHERE meetings.id = listed.value);

ALTER TABLE actions DROP COLUMN discussed_in;
