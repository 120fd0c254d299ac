-- Growth disclosure units kept in a table and refreshed square by square (replaces the materialized
-- view of growth_units.sql, whose every refresh re-read every child: about 32 s at 1,000,000).
--
-- The rule is unchanged: each child (its latest measurement and latest screening) falls in a 1 km
-- square of EPSG:6372; a square with at least 10 children is a unit; the children of smaller squares
-- are pooled into their 5 km parent square, a unit if it reaches 10; the rest are never published.
-- Every unit lies inside one 5 km square (k5x, k5y) and depends only on the children inside it, so
-- after a write only the 5 km squares of the children written are recomputed, and the result is the
-- same as recomputing everything (tests/growth/test_units_incremental.py compares both).

DROP MATERIALIZED VIEW IF EXISTS growth_growthunit;
DROP TABLE IF EXISTS growth_growthunit;
CREATE TABLE growth_growthunit (
    unit varchar(40) PRIMARY KEY,
    k5x bigint NOT NULL,
    k5y bigint NOT NULL,
    centre geometry(Point, 4326) NOT NULL,
    children integer NOT NULL,
    known_lhfa integer NOT NULL,
    stunted integer NOT NULL,
    known_wflh integer NOT NULL,
    wasted integer NOT NULL,
    overweight integer NOT NULL,
    obese integer NOT NULL,
    known_wfa integer NOT NULL,
    underweight integer NOT NULL,
    screened integer NOT NULL,
    referred integer NOT NULL
);
CREATE INDEX growth_growthunit_square ON growth_growthunit (k5x, k5y);
CREATE INDEX growth_growthunit_centre ON growth_growthunit USING gist (centre);

-- The 5 km square of a child, as an index expression (ST_Transform is immutable).
CREATE INDEX IF NOT EXISTS growth_child_square ON growth_child (
    (floor(ST_X(ST_Transform(location, 6372)) / 5000)::bigint),
    (floor(ST_Y(ST_Transform(location, 6372)) / 5000)::bigint)
);

-- The units of the given 5 km squares (all squares when xs is NULL), from the children inside them.
-- PL/pgSQL with custom plans: the arrays are planned as the constants they are (a SQL function would
-- plan them as unknown parameters, and at 1,000,000 children picked plans 20 times slower).
CREATE OR REPLACE FUNCTION growth_units_of(xs bigint[], ys bigint[])
RETURNS SETOF growth_growthunit
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
BEGIN
RETURN QUERY
WITH squares AS (
    SELECT * FROM unnest(xs, ys) AS s (k5x, k5y)
), kids AS (
    SELECT c.id, ST_Transform(c.location, 6372) AS p
      FROM growth_child c
     WHERE xs IS NULL
    UNION ALL  -- (two branches: an OR would hide the square index from the planner)
    SELECT c.id, ST_Transform(c.location, 6372)
      FROM squares s
      JOIN growth_child c
        ON floor(ST_X(ST_Transform(c.location, 6372)) / 5000)::bigint = s.k5x
       AND floor(ST_Y(ST_Transform(c.location, 6372)) / 5000)::bigint = s.k5y
     WHERE xs IS NOT NULL
), cells AS (
    -- Each child's latest measurement and latest screening, looked up by its index (a child's
    -- history is a handful of rows), so a square's refresh reads only its own children's rows.
    SELECT k.id, l.stunted, l.wasted, l.underweight, l.overweight, l.obese,
           s.result AS screening_result,
           floor(ST_X(k.p) / 1000)::bigint AS cx,
           floor(ST_Y(k.p) / 1000)::bigint AS cy
      FROM kids k
      LEFT JOIN LATERAL (
          SELECT true AS found, m.stunted, m.wasted, m.underweight, m.overweight, m.obese
            FROM growth_measurement m
           WHERE m.child_id = k.id
           ORDER BY m.measured_on DESC
           LIMIT 1
      ) l ON true
      LEFT JOIN LATERAL (
          SELECT true AS found, s.result
            FROM growth_screening s
           WHERE s.child_id = k.id
           ORDER BY s.answered_on DESC, s.id DESC
           LIMIT 1
      ) s ON true
     WHERE l.found OR s.found  -- measured or screened at least once
), counted AS (
    SELECT c.*, count(*) OVER (PARTITION BY cx, cy) AS cell_n FROM cells c
), assigned AS (
    SELECT a.*,
           CASE WHEN cell_n >= 10 THEN 'k1:' || cx || ':' || cy
                ELSE 'k5:' || floor(cx / 5.0)::bigint || ':' || floor(cy / 5.0)::bigint END AS unit,
           CASE WHEN cell_n >= 10 THEN ST_MakePoint((cx + 0.5) * 1000, (cy + 0.5) * 1000)
                ELSE ST_MakePoint((floor(cx / 5.0) + 0.5) * 5000, (floor(cy / 5.0) + 0.5) * 5000) END AS c
      FROM counted a
)
SELECT unit::varchar(40),
       floor(min(cx) / 5.0)::bigint, floor(min(cy) / 5.0)::bigint,
       ST_Transform(ST_SetSRID(min(c), 6372), 4326)::geometry(Point, 4326),
       count(*)::int,
       count(stunted)::int,
       count(*) FILTER (WHERE stunted)::int,
       count(wasted)::int,
       count(*) FILTER (WHERE wasted)::int,
       count(*) FILTER (WHERE overweight)::int,
       count(*) FILTER (WHERE obese)::int,
       count(underweight)::int,
       count(*) FILTER (WHERE underweight)::int,
       count(screening_result)::int,
       count(*) FILTER (WHERE screening_result = 'REFER')::int
  FROM assigned
 GROUP BY unit
HAVING count(*) >= 10;
END;
$$;

-- Every unit recomputed (the timer command, the synthetic generator, this migration).
DROP FUNCTION IF EXISTS growth_refresh_units();
CREATE FUNCTION growth_refresh_units() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1701002, 0);  -- one refresher at a time (until commit)
    DELETE FROM growth_growthunit;
    INSERT INTO growth_growthunit SELECT * FROM growth_units_of(NULL, NULL);
END;
$$;

-- The units of the 5 km squares holding these points (the children a write touched, taken before a
-- delete), recomputed; called by the actions (growth.actions.after_write).
CREATE OR REPLACE FUNCTION growth_refresh_units_at(points geometry[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    xs bigint[];
    ys bigint[];
BEGIN
    SELECT array_agg(k5x), array_agg(k5y) INTO xs, ys FROM (
        SELECT DISTINCT floor(ST_X(ST_Transform(p, 6372)) / 5000)::bigint AS k5x,
                        floor(ST_Y(ST_Transform(p, 6372)) / 5000)::bigint AS k5y
          FROM unnest(points) AS p WHERE p IS NOT NULL
    ) s;
    IF xs IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(1701002, 0);
    DELETE FROM growth_growthunit u
     WHERE (u.k5x, u.k5y) IN (SELECT * FROM unnest(xs, ys));
    INSERT INTO growth_growthunit SELECT * FROM growth_units_of(xs, ys);
    RETURN cardinality(xs);
END;
$$;

SELECT growth_refresh_units();
