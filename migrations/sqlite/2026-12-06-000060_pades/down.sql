DROP INDEX documents_first_sha256;
ALTER TABLE documents DROP COLUMN first_sha256;
ALTER TABLE documents DROP COLUMN signature_level;
