-- Keep works_map_work.point = a representative point of geom (inside polygons, on lines),
-- for every write path: ORM, bulk_create and COPY alike.
CREATE OR REPLACE FUNCTION works_map_work_set_point() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.geom IS DISTINCT FROM OLD.geom OR NEW.point IS NULL THEN
        IF GeometryType(NEW.geom) = 'POINT' THEN
            NEW.point := NEW.geom;
        ELSE
            NEW.point := ST_PointOnSurface(NEW.geom);
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS works_map_work_set_point ON works_map_work;
CREATE TRIGGER works_map_work_set_point
    BEFORE INSERT OR UPDATE ON works_map_work
    FOR EACH ROW EXECUTE FUNCTION works_map_work_set_point();
