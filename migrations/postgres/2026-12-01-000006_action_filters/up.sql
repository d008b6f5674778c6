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

INSERT INTO action_meetings (action_id, meeting_id, position)
SELECT actions.id, listed.value, listed.ordinality - 1
FROM actions, json_array_elements_text(actions.discussed_in::json) WITH ORDINALITY AS listed (value, ordinality)
WHERE EXISTS (SELECT 1 FROM meetings WHERE meetings.id = listed.value)
ON CONFLICT DO NOTHING;

ALTER TABLE actions DROP COLUMN discussed_in;
