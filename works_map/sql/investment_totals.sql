-- Running totals behind the all-zones investment table (investment_by_zone.sql), so the table reads
-- a few thousand pre-summed rows instead of joining every published work with its zones.
--
--   works_map_zonetotal   per zone (any status) and work fiscal year: the published works whose
--                         point is in the zone (count, approved, exercised). A zone's row of the
--                         table is the sum over the work years, or the row of the year asked for.
--   works_map_zonework    what zonetotal holds of each published work: one row per membership
--                         (works_map_workzone) with the year and amounts counted.
--   works_map_worktotal   per work fiscal year: all published works.
--   works_map_workcover   per published work, the filters under which some PUBLISHED zone covers
--                         it, as (kind, zone_year): (K, 0) and ('*', 0) when a zone of kind K holds
--                         it; (K, Y) and ('*', Y) when such a zone's fiscal year Y is the work's own.
--                         Each row carries the work's amounts.
--   works_map_covertotal  workcover summed per (kind, zone_year).
-- The outside row of the table for kind K (or any: '*') and year Y (or any: 0) is then
--   worktotal (year Y, or all years) - covertotal (K or '*', Y or 0).
-- Fiscal years are 2000-2100 (check constraints), so 0 is free; '*' is not a zone kind.
--
-- Kept exact by statement-level triggers with transition tables, which only find the works
-- whose rows may have changed and REFRESH them: the stored zonework and workcover rows of those
-- works are taken out of zonetotal and covertotal and deleted, and their current rows (from the
-- works, works_map_workzone and the zones) inserted and added. A refresh costs what the works
-- refreshed cost, whatever the size of their zones, and it is idempotent: however these triggers
-- and the membership triggers of work_zone_membership.sql interleave (a moved work's memberships
-- are deleted and inserted by nested statements; cascades run before the deleting statement's
-- own triggers), the last refresh of a work sees the final state.
--   works INSERT         worktotal += the published ones (their zone rows and cover follow from
--                        the memberships inserted for them)
--   works UPDATE         for works whose published flag, year or amounts changed: worktotal -= old,
--                        += new; refreshed (a moved point changes memberships, followed below)
--   works DELETE         worktotal -= old; refreshed
--   workzone INSERT      (a work inserted or moved, a zone inserted or reshaped)
--   workzone DELETE      (a work moved, a zone reshaped; the cascades from deleting a work or a zone)
--                        the works of those memberships refreshed (their zone rows in those
--                        zones only)
--   zones UPDATE         for zones whose status, kind or fiscal year changed: the cover of their works
--   zones DELETE         their works refreshed (zone rows in those zones only), then their
--                        zonetotal rows dropped
--   TRUNCATE             of works: all five emptied; of workzone (any TRUNCATE of the zones
--                        cascades to it): all but worktotal emptied
-- Rows whose sums drop to 0 are kept (bounded by zones, years and kinds).
--
-- Concurrent writers: a refresh reads other transactions' committed rows, so two transactions
-- refreshing the same work must not overlap (the second would miss the first's inserted rows and
-- collide with them). Every trigger takes one transaction-level advisory lock before it writes
-- to these tables, so its statements see whatever the previous holder committed, and the running
-- sums' rows are always locked after it (one lock order). Writes that change nothing counted here
-- (a name, a work's status) never take it.

CREATE TABLE IF NOT EXISTS works_map_zonetotal (
    zone_id bigint NOT NULL,
    work_year smallint NOT NULL,
    n integer NOT NULL,
    approved numeric NOT NULL,
    exercised numeric NOT NULL,
    PRIMARY KEY (zone_id, work_year)
);

CREATE TABLE IF NOT EXISTS works_map_zonework (
    work_id bigint NOT NULL,
    zone_id bigint NOT NULL,
    work_year smallint NOT NULL,
    approved numeric NOT NULL,
    exercised numeric NOT NULL,
    PRIMARY KEY (work_id, zone_id)
);

CREATE TABLE IF NOT EXISTS works_map_worktotal (
    work_year smallint PRIMARY KEY,
    n integer NOT NULL,
    approved numeric NOT NULL,
    exercised numeric NOT NULL
);

CREATE TABLE IF NOT EXISTS works_map_workcover (
    work_id bigint NOT NULL,
    kind varchar(16) NOT NULL,   -- a zone kind, or '*' for any kind
    zone_year smallint NOT NULL, -- the zones' fiscal year (= the work's), or 0 for any year
    approved numeric NOT NULL,
    exercised numeric NOT NULL,
    PRIMARY KEY (work_id, kind, zone_year)
);

CREATE TABLE IF NOT EXISTS works_map_covertotal (
    kind varchar(16) NOT NULL,
    zone_year smallint NOT NULL,
    n integer NOT NULL,
    approved numeric NOT NULL,
    exercised numeric NOT NULL,
    PRIMARY KEY (kind, zone_year)
);

-- Every refresh takes works_map_totals_lock() (see "Concurrent writers" above), defined with the
-- membership triggers that take it too (work_zone_membership_functions.sql, migration 0004).

-- The zone rows of these works (distinct ids), refreshed: in all their zones, or only in
-- zone_ids (a membership change leaves the work's rows in other zones as they are). Plans are
-- made for the actual ids (force_custom_plan): one work after a save, every work after a bulk
-- load; compiling them (jit) would cost more than it saves.
CREATE OR REPLACE FUNCTION works_map_zonework_refresh(work_ids bigint[], zone_ids bigint[] DEFAULT NULL)
RETURNS void
SET plan_cache_mode = force_custom_plan SET jit = off AS $$
BEGIN
    WITH old AS (
        DELETE FROM works_map_zonework c
        WHERE c.work_id = ANY (work_ids) AND (zone_ids IS NULL OR c.zone_id = ANY (zone_ids))
        RETURNING c.zone_id, c.work_year, c.approved, c.exercised
    )
    INSERT INTO works_map_zonetotal AS t (zone_id, work_year, n, approved, exercised)
    SELECT zone_id, work_year, -count(*), -sum(approved), -sum(exercised)
    FROM old GROUP BY 1, 2
    ORDER BY 1, 2  -- one lock order for concurrent writers
    ON CONFLICT (zone_id, work_year) DO UPDATE SET
        n = t.n + excluded.n,
        approved = t.approved + excluded.approved,
        exercised = t.exercised + excluded.exercised;

    -- The join with the zones skips a zone deleted by this statement whose memberships the
    -- cascade has not removed yet.
    WITH new AS (
        INSERT INTO works_map_zonework (work_id, zone_id, work_year, approved, exercised)
        SELECT w.id, z.id, w.fiscal_year, w.amount_approved, w.amount_exercised
        FROM unnest(work_ids) AS a (id)
        JOIN works_map_work w ON w.id = a.id
        JOIN works_map_workzone m ON m.work_id = w.id
        JOIN priority_zones_zone z ON z.id = m.zone_id
        WHERE w.published AND (zone_ids IS NULL OR z.id = ANY (zone_ids))
        RETURNING zone_id, work_year, approved, exercised
    )
    INSERT INTO works_map_zonetotal AS t (zone_id, work_year, n, approved, exercised)
    SELECT zone_id, work_year, count(*), sum(approved), sum(exercised)
    FROM new GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (zone_id, work_year) DO UPDATE SET
        n = t.n + excluded.n,
        approved = t.approved + excluded.approved,
        exercised = t.exercised + excluded.exercised;
END;
$$ LANGUAGE plpgsql;

-- The cover of these works (distinct ids), refreshed.
CREATE OR REPLACE FUNCTION works_map_workcover_refresh(work_ids bigint[]) RETURNS void
SET plan_cache_mode = force_custom_plan SET jit = off AS $$
BEGIN
    WITH old AS (
        DELETE FROM works_map_workcover c WHERE c.work_id = ANY (work_ids)
        RETURNING c.kind, c.zone_year, c.approved, c.exercised
    )
    INSERT INTO works_map_covertotal AS t (kind, zone_year, n, approved, exercised)
    SELECT kind, zone_year, -count(*), -sum(approved), -sum(exercised)
    FROM old GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (kind, zone_year) DO UPDATE SET
        n = t.n + excluded.n,
        approved = t.approved + excluded.approved,
        exercised = t.exercised + excluded.exercised;

    -- DISTINCT: a work in several published zones of one kind is covered once per filter.
    WITH new AS (
        INSERT INTO works_map_workcover (work_id, kind, zone_year, approved, exercised)
        SELECT DISTINCT w.id, k.kind, k.zone_year, w.amount_approved, w.amount_exercised
        FROM unnest(work_ids) AS a (id)
        JOIN works_map_work w ON w.id = a.id
        JOIN works_map_workzone m ON m.work_id = w.id
        JOIN priority_zones_zone z ON z.id = m.zone_id
        CROSS JOIN LATERAL (
            VALUES (z.kind, 0), ('*', 0), (z.kind, z.fiscal_year), ('*', z.fiscal_year)
        ) AS k (kind, zone_year)
        WHERE w.published AND z.status = 'PUBLISHED' AND k.zone_year IN (0, w.fiscal_year)
        RETURNING kind, zone_year, approved, exercised
    )
    INSERT INTO works_map_covertotal AS t (kind, zone_year, n, approved, exercised)
    SELECT kind, zone_year, count(*), sum(approved), sum(exercised)
    FROM new GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (kind, zone_year) DO UPDATE SET
        n = t.n + excluded.n,
        approved = t.approved + excluded.approved,
        exercised = t.exercised + excluded.exercised;
END;
$$ LANGUAGE plpgsql;

-- Inserted, updated and deleted works.
CREATE OR REPLACE FUNCTION works_map_totals_from_works() RETURNS trigger
SET plan_cache_mode = force_custom_plan SET jit = off AS $$
DECLARE
    changed bigint[];  -- works whose published flag, year or amounts changed (or that are gone)
BEGIN
    IF works_map_totals_deferred() THEN
        RETURN NULL;  -- noted; works_map_apply_deferred_totals() does it (deferred_totals.sql)
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM works_map_totals_lock();
        INSERT INTO works_map_worktotal AS t (work_year, n, approved, exercised)
        SELECT fiscal_year, count(*), sum(amount_approved), sum(amount_exercised)
        FROM new_rows WHERE published
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (work_year) DO UPDATE SET
            n = t.n + excluded.n,
            approved = t.approved + excluded.approved,
            exercised = t.exercised + excluded.exercised;
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(id) INTO changed FROM old_rows;
        PERFORM works_map_totals_lock();
        INSERT INTO works_map_worktotal AS t (work_year, n, approved, exercised)
        SELECT fiscal_year, -count(*), -sum(amount_approved), -sum(amount_exercised)
        FROM old_rows WHERE published
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (work_year) DO UPDATE SET
            n = t.n + excluded.n,
            approved = t.approved + excluded.approved,
            exercised = t.exercised + excluded.exercised;
    ELSE
        SELECT array_agg(n.id) INTO changed
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.published, n.fiscal_year, n.amount_approved, n.amount_exercised)
              IS DISTINCT FROM (o.published, o.fiscal_year, o.amount_approved, o.amount_exercised);
        IF changed IS NULL THEN
            RETURN NULL;
        END IF;
        PERFORM works_map_totals_lock();
        INSERT INTO works_map_worktotal AS t (work_year, n, approved, exercised)
        SELECT fiscal_year, sum(sign), sum(sign * amount_approved), sum(sign * amount_exercised)
        FROM (
            SELECT 1 AS sign, fiscal_year, amount_approved, amount_exercised
            FROM new_rows WHERE published AND id = ANY (changed)
            UNION ALL
            SELECT -1, fiscal_year, amount_approved, amount_exercised
            FROM old_rows WHERE published AND id = ANY (changed)
        ) d
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (work_year) DO UPDATE SET
            n = t.n + excluded.n,
            approved = t.approved + excluded.approved,
            exercised = t.exercised + excluded.exercised;
    END IF;
    PERFORM works_map_zonework_refresh(changed);
    PERFORM works_map_workcover_refresh(changed);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Inserted or deleted memberships (the transition table is `changed_members` either way).
CREATE OR REPLACE FUNCTION works_map_totals_from_members() RETURNS trigger SET jit = off AS $$
DECLARE
    works bigint[];
BEGIN
    IF NOT EXISTS (SELECT FROM changed_members) THEN
        RETURN NULL;  -- the membership triggers run their statements on every save
    END IF;
    works := ARRAY(SELECT DISTINCT work_id FROM changed_members);
    PERFORM works_map_totals_lock();
    -- Refreshing works x zones covers every changed membership (and a few unchanged ones).
    PERFORM works_map_zonework_refresh(works, ARRAY(SELECT DISTINCT zone_id FROM changed_members));
    PERFORM works_map_workcover_refresh(works);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Zones published or withdrawn, re-kinded, moved to another year, or deleted. (Inserted and
-- reshaped zones change memberships, followed above.)
CREATE OR REPLACE FUNCTION works_map_totals_from_zones() RETURNS trigger SET jit = off AS $$
DECLARE
    zones bigint[];
    works bigint[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(id) INTO zones FROM old_rows;
    ELSE
        SELECT array_agg(n.id) INTO zones
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.status, n.kind, n.fiscal_year) IS DISTINCT FROM (o.status, o.kind, o.fiscal_year);
    END IF;
    IF zones IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM works_map_totals_lock();
    -- The memberships of deleted zones are usually gone already (the cascade ran first, and
    -- refreshed their works); if not, the refresh skips the deleted zones.
    works := ARRAY(SELECT DISTINCT m.work_id FROM works_map_workzone m WHERE m.zone_id = ANY (zones));
    IF TG_OP = 'DELETE' THEN
        PERFORM works_map_zonework_refresh(works, zones);
        DELETE FROM works_map_zonetotal WHERE zone_id = ANY (zones);
    END IF;
    PERFORM works_map_workcover_refresh(works);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION works_map_totals_truncate() RETURNS trigger AS $$
BEGIN
    TRUNCATE works_map_zonetotal, works_map_zonework, works_map_workcover, works_map_covertotal;
    IF TG_TABLE_NAME = 'works_map_work' THEN
        TRUNCATE works_map_worktotal;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS works_map_totals_work_insert ON works_map_work;
CREATE TRIGGER works_map_totals_work_insert
    AFTER INSERT ON works_map_work REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_from_works();
DROP TRIGGER IF EXISTS works_map_totals_work_update ON works_map_work;
CREATE TRIGGER works_map_totals_work_update
    AFTER UPDATE ON works_map_work REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_from_works();
DROP TRIGGER IF EXISTS works_map_totals_work_delete ON works_map_work;
CREATE TRIGGER works_map_totals_work_delete
    AFTER DELETE ON works_map_work REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_from_works();
DROP TRIGGER IF EXISTS works_map_totals_work_truncate ON works_map_work;
CREATE TRIGGER works_map_totals_work_truncate
    AFTER TRUNCATE ON works_map_work
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_truncate();

DROP TRIGGER IF EXISTS works_map_totals_member_insert ON works_map_workzone;
CREATE TRIGGER works_map_totals_member_insert
    AFTER INSERT ON works_map_workzone REFERENCING NEW TABLE AS changed_members
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_from_members();
DROP TRIGGER IF EXISTS works_map_totals_member_delete ON works_map_workzone;
CREATE TRIGGER works_map_totals_member_delete
    AFTER DELETE ON works_map_workzone REFERENCING OLD TABLE AS changed_members
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_from_members();
DROP TRIGGER IF EXISTS works_map_totals_member_truncate ON works_map_workzone;
CREATE TRIGGER works_map_totals_member_truncate
    AFTER TRUNCATE ON works_map_workzone
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_truncate();

DROP TRIGGER IF EXISTS works_map_totals_zone_update ON priority_zones_zone;
CREATE TRIGGER works_map_totals_zone_update
    AFTER UPDATE ON priority_zones_zone REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_from_zones();
DROP TRIGGER IF EXISTS works_map_totals_zone_delete ON priority_zones_zone;
CREATE TRIGGER works_map_totals_zone_delete
    AFTER DELETE ON priority_zones_zone REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_totals_from_zones();

-- Backfill from the works, zones and memberships already stored, through the same functions.
TRUNCATE works_map_zonetotal, works_map_zonework, works_map_worktotal, works_map_workcover,
    works_map_covertotal;
INSERT INTO works_map_worktotal (work_year, n, approved, exercised)
SELECT fiscal_year, count(*), sum(amount_approved), sum(amount_exercised)
FROM works_map_work WHERE published
GROUP BY 1;
SELECT works_map_zonework_refresh(ARRAY(SELECT DISTINCT work_id FROM works_map_workzone));
SELECT works_map_workcover_refresh(ARRAY(SELECT DISTINCT work_id FROM works_map_workzone));
ANALYZE works_map_zonetotal;
ANALYZE works_map_zonework;
ANALYZE works_map_worktotal;
ANALYZE works_map_workcover;
ANALYZE works_map_covertotal;
