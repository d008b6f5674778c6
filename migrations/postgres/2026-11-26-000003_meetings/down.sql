DROP TABLE outbox;
DROP TABLE invitations;
DROP TABLE agenda_items;
DROP TABLE meetings;
