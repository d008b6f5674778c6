-- Who submitted the minutes for signature, and when: the signatory's
-- "À signer" list shows it, oldest first.
ALTER TABLE minutes ADD COLUMN submitted_by TEXT;
ALTER TABLE minutes ADD COLUMN submitted_by_name TEXT;
ALTER TABLE minutes ADD COLUMN submitted_at TIMESTAMP;
CREATE INDEX minutes_submitted ON minutes (structure_id, status, submitted_at);
