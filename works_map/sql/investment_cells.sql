-- Pre-summed cells behind the investment cross-tab (investment_crosstab_cells.sql), so an unfiltered
-- cross-tab of a million works reads a few hundred thousand sums instead of joining every published
-- work with its funding, agencies and zones (25 s of SQL for zone x source at 1M works and 2,000
-- zones, past the statement timeout). Issue 15.
--
--   works_map_xtcell  one row per (place, dimension, work fiscal year, work status, key):
--                     count, approved and exercised of the published works there. A place is
--                       'M' area_id       the work's registered municipio
--                       'Z' area_id       a PUBLISHED zone holding the work's point (works_map_workzone)
--                       'C' kind, zone_year  the work is covered by some PUBLISHED zone of that kind
--                                         ('*': any) declared for that fiscal year (0: any); a work
--                                         counts once per (kind, zone_year) however many zones cover it
--                       'T'               every published work
--                     so the cross-tab's `outside` row for a zone kind K and a zone year Y is
--                     T - C(K or '*', Y or 0). The dimension is 's' (funding source: the source's
--                     own share, as the live query), 'c' (the work's category) or 'a' (each executing
--                     agency); key 0 stands for the live query's NULL key (no funding row, no
--                     executing agency). Every work also counts under status '*', so a cross-tab
--                     with no status filter reads a tenth of the rows.
--   works_map_xtwork  what the cells hold of each published work: its year, status and places
--   works_map_xtkey   ... and its keys with the amounts counted under each.
--
-- Kept exact as the investment totals are (investment_totals.sql): statement-level triggers find the
-- works whose counted state may have changed and REFRESH them (their stored contribution taken out
-- of the cells and deleted, their current one computed, stored and added), under the same advisory
-- lock, idempotent, so however the triggers interleave the last refresh of a work sees its final
-- state. What refreshes a work: an insert or delete, an update of its published flag, year, status,
-- category, municipio or amounts, a change of its memberships, funding rows or executing agencies,
-- and a change of status, kind or fiscal year of a zone holding it. A bulk write that defers the
-- totals (deferred_totals.sql) only notes the works; the apply refreshes them once.
-- Cells whose count drops to 0 are deleted (a partial index finds them).

CREATE TABLE IF NOT EXISTS works_map_xtcell (
    scope "char" NOT NULL,           -- 'M', 'Z', 'C', 'T'
    area_id bigint NOT NULL,         -- municipio or zone id; 0 for 'C' and 'T'
    kind varchar(16) NOT NULL,       -- 'C': a zone kind or '*'; '' otherwise
    zone_year smallint NOT NULL,     -- 'C': the zones' fiscal year or 0; 0 otherwise
    dim "char" NOT NULL,             -- 's', 'c', 'a'
    work_year smallint NOT NULL,
    status varchar(16) NOT NULL,     -- the work's status, or '*' for all
    key_id bigint NOT NULL,          -- source, category or agency id; 0: none
    n integer NOT NULL,
    approved numeric NOT NULL,
    exercised numeric NOT NULL,
    PRIMARY KEY (dim, status, scope, area_id, kind, zone_year, work_year, key_id)
);
CREATE INDEX IF NOT EXISTS works_map_xtcell_empty ON works_map_xtcell (dim) WHERE n = 0;

CREATE TABLE IF NOT EXISTS works_map_xtwork (
    work_id bigint PRIMARY KEY,
    work_year smallint NOT NULL,
    status varchar(16) NOT NULL,
    municipio_id bigint NOT NULL,
    zones bigint[] NOT NULL,
    cover_kinds varchar(16)[] NOT NULL,
    cover_years smallint[] NOT NULL
);

CREATE TABLE IF NOT EXISTS works_map_xtkey (
    work_id bigint NOT NULL,
    dim "char" NOT NULL,
    key_id bigint NOT NULL,
    approved numeric NOT NULL,
    exercised numeric NOT NULL
);
CREATE INDEX IF NOT EXISTS works_map_xtkey_work ON works_map_xtkey (work_id);

-- The contributions (one row per cell touched) of the works whose stored rows are in xtwork/xtkey.
CREATE OR REPLACE FUNCTION works_map_xt_contributions(work_ids bigint[])
RETURNS TABLE (scope "char", area_id bigint, kind varchar, zone_year smallint, dim "char",
               work_year smallint, status varchar, key_id bigint, n bigint, approved numeric,
               exercised numeric)
SET plan_cache_mode = force_custom_plan SET jit = off AS $$
    SELECT p.scope, p.area_id, p.kind, p.zone_year, k.dim, w.work_year, s.status, k.key_id,
           count(*), sum(k.approved), sum(k.exercised)
    FROM works_map_xtwork w
    JOIN works_map_xtkey k ON k.work_id = w.work_id
    CROSS JOIN LATERAL (
        SELECT 'T'::"char", 0::bigint, ''::varchar, 0::smallint
        UNION ALL SELECT 'M', w.municipio_id, '', 0
        UNION ALL SELECT 'Z', z, '', 0 FROM unnest(w.zones) AS z
        UNION ALL SELECT 'C', 0, ck, cy FROM unnest(w.cover_kinds, w.cover_years) AS c (ck, cy)
    ) AS p (scope, area_id, kind, zone_year)
    CROSS JOIN LATERAL (VALUES (w.status), ('*')) AS s (status)
    WHERE w.work_id = ANY (work_ids)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 5, 7, 1, 2, 3, 4, 6, 8;  -- the primary key's order: one lock order for concurrent writers
$$ LANGUAGE sql;

-- The stored rows of these works replaced by their current state (published works only).
CREATE OR REPLACE FUNCTION works_map_xt_refresh(work_ids bigint[]) RETURNS void
SET plan_cache_mode = force_custom_plan SET jit = off AS $$
BEGIN
    IF work_ids IS NULL OR cardinality(work_ids) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO works_map_xtcell AS t
        (scope, area_id, kind, zone_year, dim, work_year, status, key_id, n, approved, exercised)
    SELECT scope, area_id, kind, zone_year, dim, work_year, status, key_id, -n, -approved, -exercised
    FROM works_map_xt_contributions(work_ids)
    ON CONFLICT (dim, status, scope, area_id, kind, zone_year, work_year, key_id) DO UPDATE SET
        n = t.n + excluded.n,
        approved = t.approved + excluded.approved,
        exercised = t.exercised + excluded.exercised;
    DELETE FROM works_map_xtkey WHERE work_id = ANY (work_ids);
    DELETE FROM works_map_xtwork WHERE work_id = ANY (work_ids);

    INSERT INTO works_map_xtwork (work_id, work_year, status, municipio_id, zones, cover_kinds, cover_years)
    SELECT w.id, w.fiscal_year, w.status, w.municipio_id,
           ARRAY(SELECT z.id FROM works_map_workzone m JOIN priority_zones_zone z ON z.id = m.zone_id
                 WHERE m.work_id = w.id AND z.status = 'PUBLISHED' ORDER BY 1),
           coalesce(c.kinds, '{}'), coalesce(c.years, '{}')
    FROM works_map_work w
    LEFT JOIN LATERAL (
        SELECT array_agg(k.kind ORDER BY k.kind, k.zone_year) AS kinds,
               array_agg(k.zone_year ORDER BY k.kind, k.zone_year) AS years
        FROM (
            SELECT DISTINCT v.kind, v.zone_year
            FROM works_map_workzone m
            JOIN priority_zones_zone z ON z.id = m.zone_id
            CROSS JOIN LATERAL (
                VALUES (z.kind, 0::smallint), ('*', 0::smallint),
                       (z.kind, z.fiscal_year::smallint), ('*', z.fiscal_year::smallint)
            ) AS v (kind, zone_year)
            WHERE m.work_id = w.id AND z.status = 'PUBLISHED'
        ) k
    ) c ON true
    WHERE w.id = ANY (work_ids) AND w.published;

    INSERT INTO works_map_xtkey (work_id, dim, key_id, approved, exercised)
    SELECT w.id, 's', coalesce(f.source_id, 0),
           coalesce(f.amount_approved, w.amount_approved, 0), coalesce(f.amount_exercised, w.amount_exercised, 0)
    FROM works_map_work w
    LEFT JOIN works_map_workfunding f ON f.work_id = w.id
    WHERE w.id = ANY (work_ids) AND w.published
    UNION ALL
    SELECT w.id, 'c', w.category_id, coalesce(w.amount_approved, 0), coalesce(w.amount_exercised, 0)
    FROM works_map_work w
    WHERE w.id = ANY (work_ids) AND w.published
    UNION ALL
    SELECT w.id, 'a', coalesce(r.agency_id, 0), coalesce(w.amount_approved, 0), coalesce(w.amount_exercised, 0)
    FROM works_map_work w
    LEFT JOIN works_map_workagency r ON r.work_id = w.id AND r.role = 'EJECUTORA'
    WHERE w.id = ANY (work_ids) AND w.published;

    INSERT INTO works_map_xtcell AS t
        (scope, area_id, kind, zone_year, dim, work_year, status, key_id, n, approved, exercised)
    SELECT scope, area_id, kind, zone_year, dim, work_year, status, key_id, n, approved, exercised
    FROM works_map_xt_contributions(work_ids)
    ON CONFLICT (dim, status, scope, area_id, kind, zone_year, work_year, key_id) DO UPDATE SET
        n = t.n + excluded.n,
        approved = t.approved + excluded.approved,
        exercised = t.exercised + excluded.exercised;
    DELETE FROM works_map_xtcell WHERE n = 0;
END;
$$ LANGUAGE plpgsql;

-- Works inserted, updated (what the cells count of them) or deleted.
CREATE OR REPLACE FUNCTION works_map_xt_from_works() RETURNS trigger
SET plan_cache_mode = force_custom_plan SET jit = off AS $$
DECLARE
    changed bigint[];
BEGIN
    IF works_map_totals_deferred() THEN
        RETURN NULL;  -- noted by works_map_note_deferred(); the apply refreshes them
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- Works placed in a zone were refreshed already, by the memberships their insert made
        -- (works_map_workzone_work_insert runs first: triggers fire in name order).
        changed := ARRAY(SELECT n.id FROM new_rows n WHERE n.published
                         AND NOT EXISTS (SELECT 1 FROM works_map_xtwork x WHERE x.work_id = n.id));
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY(SELECT id FROM old_rows WHERE published);
    ELSE
        changed := ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.published, n.fiscal_year, n.status, n.category_id, n.municipio_id,
                   n.amount_approved, n.amount_exercised)
                  IS DISTINCT FROM (o.published, o.fiscal_year, o.status, o.category_id,
                                    o.municipio_id, o.amount_approved, o.amount_exercised)
        );
    END IF;
    IF cardinality(changed) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM works_map_totals_lock();
    PERFORM works_map_xt_refresh(changed);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Funding rows and agency roles (inserted, updated or deleted): the transition tables are
-- `new_rows` and/or `old_rows`, so each operation has its own function body branch.
CREATE OR REPLACE FUNCTION works_map_xt_from_links() RETURNS trigger
SET plan_cache_mode = force_custom_plan SET jit = off AS $$
DECLARE
    works bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        works := ARRAY(SELECT DISTINCT work_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        works := ARRAY(SELECT DISTINCT work_id FROM old_rows);
    ELSE
        works := ARRAY(SELECT work_id FROM new_rows UNION SELECT work_id FROM old_rows);
    END IF;
    IF works_map_totals_deferred() THEN
        -- Noted as the works' own triggers note them (a work the transaction inserted is noted
        -- already); a work whose row did not change nets to nothing in the apply's totals.
        INSERT INTO works_map_deferred_works (work_id, existed, published, fiscal_year, approved, exercised)
        SELECT id, true, published, fiscal_year, amount_approved, amount_exercised
        FROM works_map_work WHERE id = ANY (works)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    -- Only published works are counted (a deleted work's rows went with its own refresh).
    works := ARRAY(SELECT id FROM works_map_work WHERE id = ANY (works) AND published
                   UNION SELECT work_id FROM works_map_xtwork WHERE work_id = ANY (works));
    IF cardinality(works) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM works_map_totals_lock();
    PERFORM works_map_xt_refresh(works);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Memberships inserted or deleted (`changed_members` either way).
CREATE OR REPLACE FUNCTION works_map_xt_from_members() RETURNS trigger SET jit = off AS $$
DECLARE
    works bigint[];
BEGIN
    works := ARRAY(SELECT DISTINCT work_id FROM changed_members);
    IF cardinality(works) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM works_map_totals_lock();
    PERFORM works_map_xt_refresh(works);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Zones published or withdrawn, re-kinded or moved to another year. (Inserted, reshaped and deleted
-- zones change memberships, followed above.)
CREATE OR REPLACE FUNCTION works_map_xt_from_zones() RETURNS trigger SET jit = off AS $$
DECLARE
    works bigint[];
BEGIN
    works := ARRAY(
        SELECT DISTINCT m.work_id
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        JOIN works_map_workzone m ON m.zone_id = n.id
        WHERE (n.status, n.kind, n.fiscal_year) IS DISTINCT FROM (o.status, o.kind, o.fiscal_year)
    );
    IF cardinality(works) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM works_map_totals_lock();
    PERFORM works_map_xt_refresh(works);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION works_map_xt_truncate() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'works_map_work' THEN
        TRUNCATE works_map_xtcell, works_map_xtwork, works_map_xtkey;
    ELSE
        -- Memberships, funding or roles emptied: recount every counted work.
        PERFORM works_map_totals_lock();
        PERFORM works_map_xt_refresh(ARRAY(SELECT work_id FROM works_map_xtwork));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS works_map_xt_work_insert ON works_map_work;
CREATE TRIGGER works_map_xt_work_insert
    AFTER INSERT ON works_map_work REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_works();
DROP TRIGGER IF EXISTS works_map_xt_work_update ON works_map_work;
CREATE TRIGGER works_map_xt_work_update
    AFTER UPDATE ON works_map_work REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_works();
DROP TRIGGER IF EXISTS works_map_xt_work_delete ON works_map_work;
CREATE TRIGGER works_map_xt_work_delete
    AFTER DELETE ON works_map_work REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_works();
DROP TRIGGER IF EXISTS works_map_xt_work_truncate ON works_map_work;
CREATE TRIGGER works_map_xt_work_truncate
    AFTER TRUNCATE ON works_map_work
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_truncate();

DROP TRIGGER IF EXISTS works_map_xt_funding_insert ON works_map_workfunding;
CREATE TRIGGER works_map_xt_funding_insert
    AFTER INSERT ON works_map_workfunding REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_links();
DROP TRIGGER IF EXISTS works_map_xt_funding_update ON works_map_workfunding;
CREATE TRIGGER works_map_xt_funding_update
    AFTER UPDATE ON works_map_workfunding REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_links();
DROP TRIGGER IF EXISTS works_map_xt_funding_delete ON works_map_workfunding;
CREATE TRIGGER works_map_xt_funding_delete
    AFTER DELETE ON works_map_workfunding REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_links();
DROP TRIGGER IF EXISTS works_map_xt_funding_truncate ON works_map_workfunding;
CREATE TRIGGER works_map_xt_funding_truncate
    AFTER TRUNCATE ON works_map_workfunding
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_truncate();

DROP TRIGGER IF EXISTS works_map_xt_agency_insert ON works_map_workagency;
CREATE TRIGGER works_map_xt_agency_insert
    AFTER INSERT ON works_map_workagency REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_links();
DROP TRIGGER IF EXISTS works_map_xt_agency_update ON works_map_workagency;
CREATE TRIGGER works_map_xt_agency_update
    AFTER UPDATE ON works_map_workagency REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_links();
DROP TRIGGER IF EXISTS works_map_xt_agency_delete ON works_map_workagency;
CREATE TRIGGER works_map_xt_agency_delete
    AFTER DELETE ON works_map_workagency REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_links();
DROP TRIGGER IF EXISTS works_map_xt_agency_truncate ON works_map_workagency;
CREATE TRIGGER works_map_xt_agency_truncate
    AFTER TRUNCATE ON works_map_workagency
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_truncate();

DROP TRIGGER IF EXISTS works_map_xt_member_insert ON works_map_workzone;
CREATE TRIGGER works_map_xt_member_insert
    AFTER INSERT ON works_map_workzone REFERENCING NEW TABLE AS changed_members
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_members();
DROP TRIGGER IF EXISTS works_map_xt_member_delete ON works_map_workzone;
CREATE TRIGGER works_map_xt_member_delete
    AFTER DELETE ON works_map_workzone REFERENCING OLD TABLE AS changed_members
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_members();
DROP TRIGGER IF EXISTS works_map_xt_member_truncate ON works_map_workzone;
CREATE TRIGGER works_map_xt_member_truncate
    AFTER TRUNCATE ON works_map_workzone
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_truncate();

DROP TRIGGER IF EXISTS works_map_xt_zone_update ON priority_zones_zone;
CREATE TRIGGER works_map_xt_zone_update
    AFTER UPDATE ON priority_zones_zone REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION works_map_xt_from_zones();

-- Backfill from what is stored, through the same function, in slices (bounded memory).
TRUNCATE works_map_xtcell, works_map_xtwork, works_map_xtkey;
DO $$
DECLARE
    lo bigint := 0;
    hi bigint;
BEGIN
    LOOP
        SELECT max(id) INTO hi FROM (
            SELECT id FROM works_map_work WHERE published AND id > lo ORDER BY id LIMIT 100000
        ) s;
        EXIT WHEN hi IS NULL;
        PERFORM works_map_xt_refresh(
            ARRAY(SELECT id FROM works_map_work WHERE published AND id > lo AND id <= hi)
        );
        lo := hi;
    END LOOP;
END;
$$;
ANALYZE works_map_xtcell;
ANALYZE works_map_xtwork;
ANALYZE works_map_xtkey;
