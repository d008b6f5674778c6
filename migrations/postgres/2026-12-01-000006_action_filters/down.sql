ALTER TABLE actions ADD COLUMN discussed_in TEXT NOT NULL DEFAULT '[]';
UPDATE actions SET discussed_in = COALESCE(
    (SELECT json_agg(meeting_id ORDER BY position)::text FROM action_meetings
     WHERE action_meetings.action_id = actions.id),
    '[]');
DROP TABLE action_meetings;
ALTER TABLE actions DROP COLUMN responsible_key;
