-- works_map_workzone: which zones (any status) hold each work's representative point.
-- Kept exact by statement-level triggers with transition tables, so an ORM save, a bulk update
-- and a COPY of 50,000 rows alike cost one set-based join: a work's rows are recomputed when its
-- point changes (the point itself is set by the BEFORE row trigger works_map_work_set_point), a
-- zone's rows when its geometry changes; deleting a work or a zone cascades.
CREATE TABLE IF NOT EXISTS works_map_workzone (
    zone_id bigint NOT NULL REFERENCES priority_zones_zone (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    work_id bigint NOT NULL REFERENCES works_map_work (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (zone_id, work_id)
);
CREATE INDEX IF NOT EXISTS works_map_workzone_work_id ON works_map_workzone (work_id, zone_id);

-- The trigger functions are in work_zone_membership_functions.sql (run before this file).

DROP TRIGGER IF EXISTS works_map_workzone_work_insert ON works_map_work;
CREATE TRIGGER works_map_workzone_work_insert
    AFTER INSERT ON works_map_work REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_workzone_from_works();
DROP TRIGGER IF EXISTS works_map_workzone_work_update ON works_map_work;
CREATE TRIGGER works_map_workzone_work_update
    AFTER UPDATE ON works_map_work REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_workzone_from_works();
DROP TRIGGER IF EXISTS works_map_workzone_zone_insert ON priority_zones_zone;
CREATE TRIGGER works_map_workzone_zone_insert
    AFTER INSERT ON priority_zones_zone REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_workzone_from_zones();
DROP TRIGGER IF EXISTS works_map_workzone_zone_update ON priority_zones_zone;
CREATE TRIGGER works_map_workzone_zone_update
    AFTER UPDATE ON priority_zones_zone REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_workzone_from_zones();

-- Backfill: every existing zone against every existing work.
INSERT INTO works_map_workzone (zone_id, work_id)
SELECT DISTINCT p.id, w.id
FROM (SELECT id, ST_Subdivide(geom, 64) AS g FROM priority_zones_zone) p
JOIN works_map_work w ON ST_Intersects(w.point, p.g)
ON CONFLICT DO NOTHING;
ANALYZE works_map_workzone;
