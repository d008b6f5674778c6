DROP INDEX minutes_submitted;
ALTER TABLE minutes DROP COLUMN submitted_at;
ALTER TABLE minutes DROP COLUMN submitted_by_name;
ALTER TABLE minutes DROP COLUMN submitted_by;
