-- Investment in every published zone, plus one row for the works in none of them.
--
-- Big zones (a rural ZAP is a whole municipio, hundreds of vertices) are cut into pieces of at
-- most 64 vertices first: each piece has a tight box for the point index and a cheap
-- point-in-polygon test. A work on the seam of two pieces of one zone counts once (GROUP BY).
-- The outside row is an anti-join against the same hits, so no work is probed twice.
-- Parameters: kind (text or NULL), year (int or NULL; filters zones and works alike).
-- `fiscal_year + 0` in the hits keeps the planner on the point index: ANDing it with the
-- fiscal_year b-tree re-reads a whole year of index entries for every piece (20 ms each).
WITH zones AS MATERIALIZED (
    SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, z.geom
    FROM priority_zones_zone z
    WHERE z.status = 'PUBLISHED'
      AND (%(kind)s::text IS NULL OR z.kind = %(kind)s::text)
      AND (%(year)s::int IS NULL OR z.fiscal_year = %(year)s::int)
), pieces AS MATERIALIZED (
    SELECT id, ST_Subdivide(geom, 64) AS g FROM zones
), hits AS MATERIALIZED (
    SELECT p.id AS zone_id, w.id AS work_id,
           min(w.amount_approved) AS approved, min(w.amount_exercised) AS exercised
    FROM pieces p
    JOIN works_map_work w ON ST_Intersects(w.point, p.g)
    WHERE w.published AND (%(year)s::int IS NULL OR w.fiscal_year + 0 = %(year)s::int)
    GROUP BY p.id, w.id
), per_zone AS (
    SELECT zone_id, count(*) AS n, sum(approved) AS approved, sum(exercised) AS exercised
    FROM hits GROUP BY zone_id
)
SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, false AS outside,
       coalesce(pz.n, 0), coalesce(pz.approved, 0), coalesce(pz.exercised, 0)
FROM zones z LEFT JOIN per_zone pz ON pz.zone_id = z.id
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, true,
       count(*), coalesce(sum(w.amount_approved), 0), coalesce(sum(w.amount_exercised), 0)
FROM works_map_work w
WHERE w.published AND (%(year)s::int IS NULL OR w.fiscal_year = %(year)s::int)
  AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.work_id = w.id)
ORDER BY 6, 1
