ALTER TABLE actions ADD COLUMN discussed_in TEXT NOT NULL DEFAULT '[]';
UPDATE actions SET discussed_in = COALESCE(
    (SELECT json_group_array(meeting_id) FROM
        (SELECT meeting_id FROM action_meetings
         WHERE action_meetings.action_id = actions.id ORDER BY position)),
    '[]');
DROP TABLE action_meetings;
ALTER TABLE actions DROP COLUMN responsible_key;
