-- The compte-rendu's PDF carries a PAdES signature: its level ("B-B"
-- without a timestamp, "B-T" with one), and, once a document timestamp
-- was added later, the fingerprint the PDF had when first signed (copies
-- handed out before stay verifiable).
ALTER TABLE documents ADD COLUMN signature_level TEXT;
ALTER TABLE documents ADD COLUMN first_sha256 TEXT;
CREATE INDEX documents_first_sha256 ON documents (first_sha256);
