DROP INDEX outbox_member;
ALTER TABLE outbox DROP COLUMN member_id;
DROP TABLE documents;
DROP TABLE minutes;
