-- Deferred totals for a bulk write (the works register import, issue 13 item 11).
--
-- The totals and membership triggers (investment_totals.sql, work_zone_membership_functions.sql)
-- take works_map_totals_lock() at the first work a transaction writes and hold it until commit,
-- so an import of 20,000 works made every other amount or zone change wait for the whole import.
-- A transaction that calls works_map_defer_totals() first instead only NOTES the works it inserts
-- or updates (and, once, each updated work's counted state before the transaction touched it) in
-- a temporary table, without the lock; works_map_apply_deferred_totals(), called by the same
-- transaction before it commits, takes the lock and brings memberships and every running total up
-- to date for those works in a few set statements, as the triggers would have row by row. The lock
-- is then held from the apply to the commit only. All or nothing as before: the notes, the apply
-- and the writes are one transaction (a savepoint rolled back takes its notes with it).
--
-- Correct with concurrent writers for the same reasons as the triggers: the apply's statements,
-- after the lock, see whatever every earlier holder committed (a zone inserted meanwhile is joined
-- with the imported works here; one inserted after waits for the lock and then sees them); a work
-- the import updates is row-locked by it until commit, so its noted old state is the state the
-- totals count. Deleting works while deferred is refused (an import never deletes).

-- works_map_totals_deferred() is defined with the lock (work_zone_membership_functions.sql).

CREATE OR REPLACE FUNCTION works_map_defer_totals() RETURNS void AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS works_map_deferred_works (
        work_id bigint PRIMARY KEY,
        existed boolean NOT NULL,  -- false: inserted by this transaction (nothing counted yet)
        published boolean,
        fiscal_year smallint,
        approved numeric,
        exercised numeric
    ) ON COMMIT DROP;
    PERFORM set_config('works_map.defer_totals', 'on', true);  -- this transaction only
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION works_map_apply_deferred_totals() RETURNS void
SET plan_cache_mode = force_custom_plan SET jit = off AS $$
DECLARE
    works bigint[];
BEGIN
    PERFORM set_config('works_map.defer_totals', 'off', true);
    IF to_regclass('pg_temp.works_map_deferred_works') IS NULL THEN
        RETURN;
    END IF;
    works := ARRAY(SELECT work_id FROM works_map_deferred_works ORDER BY 1);
    IF cardinality(works) = 0 THEN
        RETURN;
    END IF;
    PERFORM works_map_totals_lock();
    -- Memberships as the works' trigger keeps them (its own triggers refresh what changed).
    WITH inside AS (
        SELECT z.id AS zone_id, w.id AS work_id
        FROM works_map_work w JOIN priority_zones_zone z ON ST_Intersects(z.geom, w.point)
        WHERE w.id = ANY (works)
    ), gone AS (
        DELETE FROM works_map_workzone wz
        WHERE wz.work_id = ANY (works)
          AND NOT EXISTS (SELECT 1 FROM inside i WHERE i.zone_id = wz.zone_id AND i.work_id = wz.work_id)
    )
    INSERT INTO works_map_workzone (zone_id, work_id)
    SELECT zone_id, work_id FROM inside
    ON CONFLICT DO NOTHING;
    -- Per-year totals: the works as they stand now, less what was counted of them before.
    INSERT INTO works_map_worktotal AS t (work_year, n, approved, exercised)
    SELECT fiscal_year, sum(sign), sum(sign * approved), sum(sign * exercised)
    FROM (
        SELECT 1 AS sign, w.fiscal_year, w.amount_approved AS approved, w.amount_exercised AS exercised
        FROM works_map_work w WHERE w.id = ANY (works) AND w.published
        UNION ALL
        SELECT -1, d.fiscal_year, d.approved, d.exercised
        FROM works_map_deferred_works d WHERE d.existed AND d.published
    ) d
    GROUP BY 1 ORDER BY 1
    ON CONFLICT (work_year) DO UPDATE SET
        n = t.n + excluded.n,
        approved = t.approved + excluded.approved,
        exercised = t.exercised + excluded.exercised;
    PERFORM works_map_zonework_refresh(works);
    PERFORM works_map_workcover_refresh(works);
    PERFORM works_map_xt_refresh(works);  -- the cross-tab's cells (investment_cells.sql)
    DELETE FROM works_map_deferred_works;
END;
$$ LANGUAGE plpgsql;

-- The notes, taken by the works' statement triggers while deferred.
CREATE OR REPLACE FUNCTION works_map_note_deferred() RETURNS trigger AS $$
BEGIN
    IF NOT works_map_totals_deferred() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO works_map_deferred_works (work_id, existed)
        SELECT id, false FROM new_rows
        ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO works_map_deferred_works (work_id, existed, published, fiscal_year, approved, exercised)
        SELECT id, true, published, fiscal_year, amount_approved, amount_exercised FROM old_rows
        ON CONFLICT DO NOTHING;  -- the first state noted is the one counted
    ELSE
        RAISE EXCEPTION 'works_map: works deleted while their totals are deferred';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS works_map_deferred_work_insert ON works_map_work;
CREATE TRIGGER works_map_deferred_work_insert
    AFTER INSERT ON works_map_work REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_note_deferred();
DROP TRIGGER IF EXISTS works_map_deferred_work_update ON works_map_work;
CREATE TRIGGER works_map_deferred_work_update
    AFTER UPDATE ON works_map_work REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_note_deferred();
DROP TRIGGER IF EXISTS works_map_deferred_work_delete ON works_map_work;
CREATE TRIGGER works_map_deferred_work_delete
    AFTER DELETE ON works_map_work REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_note_deferred();
