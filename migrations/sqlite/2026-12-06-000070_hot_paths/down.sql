DROP INDEX actions_structure_status_due;
DROP INDEX meetings_structure_end;
DROP INDEX audit_events_entity_id_time;
ALTER TABLE structures DROP COLUMN revision;
