DROP INDEX outbox_message_id;
ALTER TABLE invitations DROP COLUMN response_note;
ALTER TABLE invitations DROP COLUMN answered_via;
DROP INDEX inbound_messages_meeting;
DROP TABLE inbound_messages;
