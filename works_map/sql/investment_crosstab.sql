-- Investment cross-tab: area (zone or municipio) x work fiscal year x one dimension (funding source,
-- category or executing agency), over the works whose ids the subquery in `w` selects (published works
-- through the work-filter spec). One aggregate statement; the branches that do not apply are pruned by
-- the planner (their condition is a constant false once the parameters are bound).
--
-- Parameters: by ('zone' | 'municipio'), dim ('source' | 'category' | 'agency' | 'none'), kind (a zone
-- kind or NULL), zone_year (the zones' declared fiscal year or NULL). The ids subquery comes first and
-- brings its own positional parameters, so works_map.analysis turns these names into positional ones.
--
-- Amounts per key:
--   source    the source's own share of the work (works_map_workfunding), so a 50/50 work counts half
--             under each source; a work with no funding row counts whole under key NULL.
--   category  the work's amounts under its own category.
--   agency    the work's amounts under each executing agency (role EJECUTORA); a work with two counts
--             under both, one with none under key NULL.
--   none      the work's amounts under key NULL (the plain investment table, filtered).
-- Area placement:
--   zone      each published zone (of `kind`, declared for `zone_year`) holding the work's representative
--             point (works_map_workzone, kept by triggers), plus one row (area NULL, outside) for the
--             works in none of those zones. A work in two overlapping zones counts in both.
--   municipio the work's registered municipio (every work has one).
-- Rows are summed by ids only (a hash aggregate over narrow rows; a work appears at most once per
-- area and key, so count() needs no DISTINCT), and named afterwards.
WITH w AS (
    SELECT w.id, w.fiscal_year, w.category_id, w.municipio_id, w.amount_approved, w.amount_exercised
    FROM works_map_work w
    WHERE w.id IN ({ids})
), keyed AS (
    SELECT w.id, w.fiscal_year, w.municipio_id, f.source_id AS key_id,
           coalesce(f.amount_approved, w.amount_approved) AS approved,
           coalesce(f.amount_exercised, w.amount_exercised) AS exercised
    FROM w
    LEFT JOIN works_map_workfunding f ON f.work_id = w.id
    WHERE %(dim)s::text = 'source'
    UNION ALL
    SELECT w.id, w.fiscal_year, w.municipio_id, w.category_id, w.amount_approved, w.amount_exercised
    FROM w
    WHERE %(dim)s::text = 'category'
    UNION ALL
    SELECT w.id, w.fiscal_year, w.municipio_id, r.agency_id, w.amount_approved, w.amount_exercised
    FROM w
    LEFT JOIN works_map_workagency r ON r.work_id = w.id AND r.role = 'EJECUTORA'
    WHERE %(dim)s::text = 'agency'
    UNION ALL
    SELECT w.id, w.fiscal_year, w.municipio_id, NULL::bigint, w.amount_approved, w.amount_exercised
    FROM w
    WHERE %(dim)s::text = 'none'
), zones AS (
    SELECT z.id
    FROM priority_zones_zone z
    WHERE z.status = 'PUBLISHED'
      AND (%(kind)s::text IS NULL OR z.kind = %(kind)s::text)
      AND (%(zone_year)s::int IS NULL OR z.fiscal_year = %(zone_year)s::int)
      AND %(by)s::text = 'zone'
), placed AS (
    SELECT wz.zone_id AS area_id, false AS outside, k.id, k.fiscal_year, k.key_id, k.approved, k.exercised
    FROM keyed k
    JOIN works_map_workzone wz ON wz.work_id = k.id
    JOIN zones z ON z.id = wz.zone_id
    UNION ALL
    SELECT NULL, true, k.id, k.fiscal_year, k.key_id, k.approved, k.exercised
    FROM keyed k
    WHERE %(by)s::text = 'zone'
      AND NOT EXISTS (SELECT 1 FROM works_map_workzone wz JOIN zones z ON z.id = wz.zone_id
                      WHERE wz.work_id = k.id)
    UNION ALL
    SELECT k.municipio_id, false, k.id, k.fiscal_year, k.key_id, k.approved, k.exercised
    FROM keyed k
    WHERE %(by)s::text = 'municipio'
    -- The plain table (dim 'none') lists every area, with or without works.
    UNION ALL
    SELECT z.id, false, NULL, NULL, NULL, NULL, NULL
    FROM zones z
    WHERE %(dim)s::text = 'none'
    UNION ALL
    SELECT m.id, false, NULL, NULL, NULL, NULL, NULL
    FROM priority_zones_municipio m
    WHERE %(dim)s::text = 'none' AND %(by)s::text = 'municipio'
), sums AS (
    SELECT area_id, outside, fiscal_year, key_id,
           count(id) AS n, sum(approved) AS approved, sum(exercised) AS exercised
    FROM placed
    GROUP BY area_id, outside, fiscal_year, key_id
)
SELECT s.area_id, z.kind, z.fiscal_year, coalesce(z.cvegeo, m.cvegeo), coalesce(z.name, m.name),
       CASE WHEN %(by)s::text = 'zone' THEN coalesce(z.population, a.population_2020, zm.population_2020)
            ELSE m.population_2020 END,
       s.outside, s.fiscal_year,
       coalesce(fs.code, c.code, g.code), coalesce(fs.name, c.name, g.acronym),
       s.n, s.approved, s.exercised
FROM sums s
LEFT JOIN priority_zones_zone z ON %(by)s::text = 'zone' AND z.id = s.area_id
-- A zone's population: its own, else its AGEB's (urban ZAP) or municipio's (rural ZAP) Censo 2020.
LEFT JOIN priority_zones_ageb a ON z.kind = 'ZAP_URBANA' AND a.cvegeo = z.cvegeo
LEFT JOIN priority_zones_municipio zm ON z.kind = 'ZAP_RURAL' AND zm.cvegeo = z.cvegeo
LEFT JOIN priority_zones_municipio m ON %(by)s::text = 'municipio' AND m.id = s.area_id
LEFT JOIN works_map_fundingsource fs ON %(dim)s::text = 'source' AND fs.id = s.key_id
LEFT JOIN works_map_category c ON %(dim)s::text = 'category' AND c.id = s.key_id
LEFT JOIN works_map_agency g ON %(dim)s::text = 'agency' AND g.id = s.key_id
ORDER BY s.outside, 4 NULLS LAST, s.area_id, s.fiscal_year, 9 NULLS LAST
