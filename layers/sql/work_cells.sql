-- layers_workcell: running totals of published works per grid cell, for the `works` layer's
-- clusters at low zooms (gis_core.tiles.CellPyramid). Without it a zoom-6 tile reads every point
-- of the state; with it, a few hundred pre-summed cells.
--
-- A cell of level L is a square of the Web Mercator grid with 2^L cells across the world; a
-- GridClusters handling with 16 cells per tile draws zoom z from level z + 4. The cell of a point
-- is computed by the same XYZ formula, operation for operation, as the cluster query in
-- gis_core/tiles.py, so a point falls in the same cell either way.
-- Rows are keyed also by fiscal year and status, so the `year` and `status` filters are served
-- from here too; `mode(status)` is the status with the most works in the cell. Each work counts
-- twice: in the row of its fiscal year and in the all-years row (fiscal_year 0), which is what
-- a request without a year filter reads (five or so rows per cell instead of sixty).
--
-- Kept exact by statement-level triggers with transition tables: a row-by-row save and a COPY
-- of a million works alike cost one grouped upsert (each changed work subtracts its old cell
-- contributions and adds its new ones). Rows whose count drops to 0 are kept (bounded by the
-- number of distinct cells) and ignored by the tile query. TRUNCATE of the works empties it.
-- The backfill reads every work once: on a large table it outlasts the web statement timeout.
SET LOCAL statement_timeout = 0;

CREATE TABLE IF NOT EXISTS layers_workcell (
    level smallint NOT NULL,
    cx integer NOT NULL,
    cy integer NOT NULL,
    fiscal_year smallint NOT NULL,
    status varchar(20) NOT NULL,
    n integer NOT NULL,
    slon double precision NOT NULL,     -- sum of longitudes (the cluster is drawn at the mean)
    slat double precision NOT NULL,
    -- Sums in double precision, as the tile carries them (numeric sums cost a tile several ms).
    p_amount double precision NOT NULL, -- sum of coalesce(amount_modified, amount_approved)
    p_exercised double precision NOT NULL, -- sum of amount_exercised
    p_id bigint NOT NULL,               -- sum of ids: the id itself when the cell holds one work
    -- A tile reads, for each of its columns of cells (cx), one range of rows (cy): the order
    -- (level, fiscal_year, cx, cy) makes each such range contiguous in the index.
    PRIMARY KEY (level, fiscal_year, cx, cy, status)
);

-- The levels held: zooms 5..12 of the works layer, its cluster zooms (layers/registry.py).
CREATE OR REPLACE FUNCTION layers_workcell_levels() RETURNS int[] AS $$
    SELECT ARRAY[9, 10, 11, 12, 13, 14, 15, 16]
$$ LANGUAGE sql IMMUTABLE;

-- The rows whose contribution changes, as (sign, work row) for each kind of statement: inserted
-- or deleted published works, and updated works where anything the cells hold differs (an edited
-- name or description costs nothing).
CREATE OR REPLACE FUNCTION layers_workcell_from_works() RETURNS trigger AS $$
DECLARE
    cols constant text := 'id, point, fiscal_year, status, '
        'coalesce(amount_modified, amount_approved) AS amount, amount_exercised AS exercised';
    delta text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        delta := format('SELECT 1 AS sign, %s FROM new_rows WHERE published AND point IS NOT NULL', cols);
    ELSIF TG_OP = 'DELETE' THEN
        delta := format('SELECT -1 AS sign, %s FROM old_rows WHERE published AND point IS NOT NULL', cols);
    ELSE
        -- One join of the old and new rows (a hash join), each changed work giving its old row
        -- with -1 and its new row with +1.
        delta := 'SELECT s.* FROM new_rows n JOIN old_rows o ON o.id = n.id '
            'CROSS JOIN LATERAL (VALUES '
            '(1, n.id, n.point, n.fiscal_year, n.status, coalesce(n.amount_modified, n.amount_approved), '
            'n.amount_exercised, n.published), '
            '(-1, o.id, o.point, o.fiscal_year, o.status, coalesce(o.amount_modified, o.amount_approved), '
            'o.amount_exercised, o.published)'
            ') AS s(sign, id, point, fiscal_year, status, amount, exercised, published) '
            'WHERE (n.published, n.point, n.fiscal_year, n.status, n.amount_modified, n.amount_approved, '
            'n.amount_exercised) IS DISTINCT FROM (o.published, o.point, o.fiscal_year, o.status, '
            'o.amount_modified, o.amount_approved, o.amount_exercised) '
            'AND s.published AND s.point IS NOT NULL';
    END IF;
    EXECUTE format($q$
        INSERT INTO layers_workcell AS c
            (level, cx, cy, fiscal_year, status, n, slon, slat, p_amount, p_exercised, p_id)
        SELECT l.level,
               floor((ST_X(d.point) + 180.0) * ((2 ^ l.level) / 360.0))::int,
               floor((1.0 - asinh(tan(radians(ST_Y(d.point)))) / pi()) * ((2 ^ l.level) / 2.0))::int,
               y.fiscal_year, d.status,
               sum(d.sign), sum(d.sign * ST_X(d.point)), sum(d.sign * ST_Y(d.point)),
               sum(d.sign * d.amount::float8), sum(d.sign * d.exercised::float8), sum(d.sign * d.id)
        FROM (%s) d
        CROSS JOIN unnest(layers_workcell_levels()) AS l(level)
        CROSS JOIN LATERAL (VALUES (d.fiscal_year), (0)) AS y(fiscal_year)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 4, 2, 3, 5  -- the key's order: one lock order for concurrent writers, rows
                                -- written in index order (a tile's cells share pages)
        ON CONFLICT (level, cx, cy, fiscal_year, status) DO UPDATE SET
            n = c.n + excluded.n,
            slon = c.slon + excluded.slon,
            slat = c.slat + excluded.slat,
            p_amount = c.p_amount + excluded.p_amount,
            p_exercised = c.p_exercised + excluded.p_exercised,
            p_id = c.p_id + excluded.p_id
    $q$, delta);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION layers_workcell_truncate() RETURNS trigger AS $$
BEGIN
    TRUNCATE layers_workcell;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS layers_workcell_insert ON works_map_work;
CREATE TRIGGER layers_workcell_insert
    AFTER INSERT ON works_map_work REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_workcell_from_works();
DROP TRIGGER IF EXISTS layers_workcell_update ON works_map_work;
CREATE TRIGGER layers_workcell_update
    AFTER UPDATE ON works_map_work REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_workcell_from_works();
DROP TRIGGER IF EXISTS layers_workcell_delete ON works_map_work;
CREATE TRIGGER layers_workcell_delete
    AFTER DELETE ON works_map_work REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION layers_workcell_from_works();
DROP TRIGGER IF EXISTS layers_workcell_truncate ON works_map_work;
CREATE TRIGGER layers_workcell_truncate
    AFTER TRUNCATE ON works_map_work
    FOR EACH STATEMENT EXECUTE FUNCTION layers_workcell_truncate();

-- Backfill from the works already stored.
INSERT INTO layers_workcell (level, cx, cy, fiscal_year, status, n, slon, slat, p_amount, p_exercised, p_id)
SELECT l.level,
       floor((ST_X(w.point) + 180.0) * ((2 ^ l.level) / 360.0))::int,
       floor((1.0 - asinh(tan(radians(ST_Y(w.point)))) / pi()) * ((2 ^ l.level) / 2.0))::int,
       y.fiscal_year, w.status, count(*), sum(ST_X(w.point)), sum(ST_Y(w.point)),
       sum(coalesce(w.amount_modified, w.amount_approved)::float8), sum(w.amount_exercised::float8), sum(w.id)
FROM works_map_work w CROSS JOIN unnest(layers_workcell_levels()) AS l(level)
CROSS JOIN LATERAL (VALUES (w.fiscal_year), (0)) AS y(fiscal_year)
WHERE w.published AND w.point IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 4, 2, 3, 5
ON CONFLICT DO NOTHING;
ANALYZE layers_workcell;
