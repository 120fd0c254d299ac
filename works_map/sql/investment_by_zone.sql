-- Investment in every published zone, plus one row for the works in none of them.
--
-- Reads the running totals kept exact by the triggers in investment_totals.sql, never the works:
-- a zone's row sums its works_map_zonetotal rows (all work years, or the year asked for); the
-- outside row is every published work (of that year) minus those covered by at least one of the
-- filtered zones (works_map_covertotal under kind or '*', year or 0). A work inside two
-- overlapping zones counts in both zones' rows and is subtracted once.
-- Parameters: kind (text or NULL), year (int or NULL; filters zones and works alike).
-- A zone's population: its own, else its AGEB's (urban ZAP) or municipio's (rural ZAP) Censo 2020.
WITH zones AS (
    SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name,
           coalesce(z.population, a.population_2020, m.population_2020) AS population
    FROM priority_zones_zone z
    LEFT JOIN priority_zones_ageb a ON z.kind = 'ZAP_URBANA' AND a.cvegeo = z.cvegeo
    LEFT JOIN priority_zones_municipio m ON z.kind = 'ZAP_RURAL' AND m.cvegeo = z.cvegeo
    WHERE z.status = 'PUBLISHED'
      AND (%(kind)s::text IS NULL OR z.kind = %(kind)s::text)
      AND (%(year)s::int IS NULL OR z.fiscal_year = %(year)s::int)
), everything AS (
    SELECT coalesce(sum(t.n), 0) AS n,
           coalesce(sum(t.approved), 0) AS approved, coalesce(sum(t.exercised), 0) AS exercised
    FROM works_map_worktotal t
    WHERE %(year)s::int IS NULL OR t.work_year = %(year)s::int
), covered AS (
    SELECT coalesce(sum(c.n), 0) AS n,
           coalesce(sum(c.approved), 0) AS approved, coalesce(sum(c.exercised), 0) AS exercised
    FROM works_map_covertotal c
    WHERE c.kind = coalesce(%(kind)s::text, '*')
      AND c.zone_year = coalesce(%(year)s::int, 0)
      AND %(kind)s::text IS DISTINCT FROM '*'  -- not a zone kind: no zone, nothing covered
)
SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, false AS outside,
       coalesce(sum(t.n), 0), coalesce(sum(t.approved), 0), coalesce(sum(t.exercised), 0), z.population
FROM zones z
LEFT JOIN works_map_zonetotal t
    ON t.zone_id = z.id AND (%(year)s::int IS NULL OR t.work_year = %(year)s::int)
GROUP BY z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, z.population
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, true,
       e.n - c.n, e.approved - c.approved, e.exercised - c.exercised, NULL
FROM everything e CROSS JOIN covered c
ORDER BY 6, 1
