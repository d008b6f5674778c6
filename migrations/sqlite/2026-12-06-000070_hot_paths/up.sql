-- What a person waits for stays flat as the data grows.
--
-- Each structure's revision moves with every audited change of its data
-- (one per audit event): a conditional read (`If-None-Match`) compares it
-- instead of reading the rows again.
ALTER TABLE structures ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
-- An entity's history (`/audit?entity_id=`) without the structure's
-- whole log.
CREATE INDEX audit_events_entity_id_time ON audit_events (entity_id, created_at);
-- The dashboard: the structure's meetings to come and past, its overdue
-- actions, without reading the other structures'.
CREATE INDEX meetings_structure_end ON meetings (structure_id, ends_at);
CREATE INDEX actions_structure_status_due ON actions (structure_id, status, due_date);
