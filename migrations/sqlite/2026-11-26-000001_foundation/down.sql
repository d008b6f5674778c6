DROP TABLE login_failures;
DROP TABLE audit_events;
DROP TABLE users;
DROP TABLE structures;
