-- Trigger functions keeping works_map_workzone (work_zone_membership.sql) exact.
--
-- Concurrent writers: a transaction inserting a work and another inserting a zone that covers
-- it would each join against what the other has not committed yet, and the membership would be
-- lost. Both functions first take one transaction-level advisory lock, so the second waits for
-- the first to commit and then (each statement of a volatile PL/pgSQL function takes a fresh
-- snapshot) sees its row. The investment totals' triggers (investment_totals.sql) take the same
-- lock, so every transaction takes one single lock: no lock order to get wrong, no deadlock
-- between the two. It is defined here because this file runs first (migration 0004).

-- The one lock of the membership and totals triggers; the key is arbitrary.
CREATE OR REPLACE FUNCTION works_map_totals_lock() RETURNS void AS $$
    SELECT pg_advisory_xact_lock(5051207146003);
$$ LANGUAGE sql;

-- Whether this transaction defers the triggers' work to works_map_apply_deferred_totals()
-- (deferred_totals.sql): then they take no lock.
CREATE OR REPLACE FUNCTION works_map_totals_deferred() RETURNS boolean AS $$
    SELECT coalesce(current_setting('works_map.defer_totals', true), '') = 'on';
$$ LANGUAGE sql STABLE;

-- Each UPDATE first counts the rows that moved (or were reshaped) rather than asking NOT EXISTS:
-- an EXISTS over the two transition tables is planned as a nested loop, new x old rows when none
-- moved (a bulk update of 3,000 amounts spent 4.3 s in it; the count is a hash or merge join).

-- Works (ids) against every zone: the point index of the zone GiST per work.
CREATE OR REPLACE FUNCTION works_map_workzone_from_works() RETURNS trigger AS $$
BEGIN
    IF works_map_totals_deferred() THEN
        RETURN NULL;  -- noted; works_map_apply_deferred_totals() does it (deferred_totals.sql)
    END IF;
    IF TG_OP = 'UPDATE' THEN  -- (nested: old_rows exists only for an UPDATE)
        IF (
            SELECT count(*) FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.point IS DISTINCT FROM o.point
        ) = 0 THEN
            RETURN NULL;  -- no work moved (a progress report, an amount): nothing to do, no lock
        END IF;
    END IF;
    PERFORM works_map_totals_lock();  -- see the head of this file
    IF TG_OP = 'UPDATE' THEN
        -- Only the memberships that differ change: a work moved within its zones keeps its rows,
        -- so the investment totals' triggers see just the zones it left or entered.
        WITH moved AS (
            SELECT n.id, n.point FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.point IS DISTINCT FROM o.point
        ), inside AS (
            SELECT z.id AS zone_id, m.id AS work_id
            FROM moved m JOIN priority_zones_zone z ON ST_Intersects(z.geom, m.point)
        ), gone AS (
            DELETE FROM works_map_workzone wz USING moved m
            WHERE wz.work_id = m.id
              AND NOT EXISTS (SELECT 1 FROM inside i WHERE i.zone_id = wz.zone_id AND i.work_id = wz.work_id)
        )
        INSERT INTO works_map_workzone (zone_id, work_id)
        SELECT zone_id, work_id FROM inside
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO works_map_workzone (zone_id, work_id)
        SELECT z.id, n.id
        FROM new_rows n JOIN priority_zones_zone z ON ST_Intersects(z.geom, n.point)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Zones against every work: big zones are cut into pieces of at most 64 vertices first (tight
-- boxes for the point index, cheap point-in-polygon tests); DISTINCT folds seams.
CREATE OR REPLACE FUNCTION works_map_workzone_from_zones() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN  -- (nested: old_rows exists only for an UPDATE)
        IF (
            SELECT count(*) FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.geom IS DISTINCT FROM o.geom
        ) = 0 THEN
            RETURN NULL;  -- no zone reshaped (a status or a name): nothing to do, no lock
        END IF;
    END IF;
    PERFORM works_map_totals_lock();  -- see the head of this file
    IF TG_OP = 'UPDATE' THEN
        -- Only the memberships that differ change: a reshaped zone keeps the rows of the works
        -- still inside it, so the investment totals' triggers refresh only works that came in or
        -- went out (not every work of a 40,000-work zone, twice).
        WITH reshaped AS (
            SELECT n.id, n.geom FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.geom IS DISTINCT FROM o.geom
        ), inside AS (
            SELECT DISTINCT p.id AS zone_id, w.id AS work_id
            FROM (SELECT id, ST_Subdivide(geom, 64) AS g FROM reshaped) p
            JOIN works_map_work w ON ST_Intersects(w.point, p.g)
        ), gone AS (
            DELETE FROM works_map_workzone wz USING reshaped r
            WHERE wz.zone_id = r.id
              AND NOT EXISTS (SELECT 1 FROM inside i WHERE i.zone_id = wz.zone_id AND i.work_id = wz.work_id)
        )
        INSERT INTO works_map_workzone (zone_id, work_id)
        SELECT zone_id, work_id FROM inside
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO works_map_workzone (zone_id, work_id)
        SELECT DISTINCT p.id, w.id
        FROM (SELECT n.id, ST_Subdivide(n.geom, 64) AS g FROM new_rows n) p
        JOIN works_map_work w ON ST_Intersects(w.point, p.g)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
