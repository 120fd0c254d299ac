-- Growth disclosure units: the only source of public figures about children (growth/disclosure.py).
-- Each child (its latest measurement and latest screening) falls in a 1 km square of EPSG:6372. A
-- square with at least 10 children is a unit; the children of smaller squares are pooled into their
-- 5 km parent square, a unit if it reaches 10; the rest are never published. Units are disjoint and
-- hold >= 10 children each, so any area (a union of whole units, by the unit's centre), and the
-- difference of any two areas, covers >= 10 children: no child can be singled out by differencing.
DROP MATERIALIZED VIEW IF EXISTS growth_growthunit;
CREATE MATERIALIZED VIEW growth_growthunit AS
WITH latest AS (
    SELECT DISTINCT ON (m.child_id) m.*
      FROM growth_measurement m
     ORDER BY m.child_id, m.measured_on DESC
), screened AS (
    SELECT DISTINCT ON (s.child_id) s.child_id, s.result
      FROM growth_screening s
     ORDER BY s.child_id, s.answered_on DESC, s.id DESC
), cells AS (
    SELECT c.id, l.stunted, l.wasted, l.underweight, l.overweight, l.obese,
           s.result AS screening_result,
           floor(ST_X(p) / 1000)::bigint AS cx,
           floor(ST_Y(p) / 1000)::bigint AS cy
      FROM (SELECT id, ST_Transform(location, 6372) AS p FROM growth_child) c
      LEFT JOIN latest l ON l.child_id = c.id
      LEFT JOIN screened s ON s.child_id = c.id
     WHERE l.child_id IS NOT NULL OR s.child_id IS NOT NULL
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
SELECT unit,
       ST_Transform(ST_SetSRID(min(c), 6372), 4326)::geometry(Point, 4326) AS centre,
       count(*)::int AS children,
       count(stunted)::int AS known_lhfa,
       count(*) FILTER (WHERE stunted)::int AS stunted,
       count(wasted)::int AS known_wflh,
       count(*) FILTER (WHERE wasted)::int AS wasted,
       count(*) FILTER (WHERE overweight)::int AS overweight,
       count(*) FILTER (WHERE obese)::int AS obese,
       count(underweight)::int AS known_wfa,
       count(*) FILTER (WHERE underweight)::int AS underweight,
       count(screening_result)::int AS screened,
       count(*) FILTER (WHERE screening_result = 'REFER')::int AS referred
  FROM assigned
 GROUP BY unit
HAVING count(*) >= 10;

CREATE UNIQUE INDEX growth_growthunit_unit ON growth_growthunit (unit);
CREATE INDEX growth_growthunit_centre ON growth_growthunit USING gist (centre);

-- Called by the actions after children, measurements or screenings change (cursor.callproc).
CREATE OR REPLACE FUNCTION growth_refresh_units() RETURNS void AS $$
BEGIN
    REFRESH MATERIALIZED VIEW growth_growthunit;
END;
$$ LANGUAGE plpgsql;
