-- Investment cross-tab: area (zone or municipio) x work fiscal year x one dimension (funding source,
-- category or executing agency), over the works whose ids the subquery in `w` selects (published works through the
-- work-filter spec). One aggregate statement; the branches that do not apply are pruned by the planner
-- (their WHERE is a constant false once the parameters are bound).
--
-- Parameters: by ('zone' | 'municipio'), dim ('source' | 'category' | 'agency' | 'none'), kind (a zone
-- kind or NULL), zone_year (the zones' declared fiscal year or NULL). The ids subquery comes first and brings its
-- own positional parameters, so works_map.analysis turns these names into positional ones in order.
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
WITH w AS (
    SELECT w.id, w.fiscal_year, w.category_id, w.municipio_id, w.amount_approved, w.amount_exercised
    FROM works_map_work w
    WHERE w.id IN ({ids})
), keyed AS (
    SELECT w.id, w.fiscal_year, w.municipio_id, s.code AS key, s.name AS label,
           coalesce(f.amount_approved, w.amount_approved) AS approved,
           coalesce(f.amount_exercised, w.amount_exercised) AS exercised
    FROM w
    LEFT JOIN works_map_workfunding f ON f.work_id = w.id
    LEFT JOIN works_map_fundingsource s ON s.id = f.source_id
    WHERE %(dim)s::text = 'source'
    UNION ALL
    SELECT w.id, w.fiscal_year, w.municipio_id, c.code, c.name, w.amount_approved, w.amount_exercised
    FROM w
    JOIN works_map_category c ON c.id = w.category_id
    WHERE %(dim)s::text = 'category'
    UNION ALL
    SELECT w.id, w.fiscal_year, w.municipio_id, g.code, g.acronym, w.amount_approved, w.amount_exercised
    FROM w
    LEFT JOIN works_map_workagency r ON r.work_id = w.id AND r.role = 'EJECUTORA'
    LEFT JOIN works_map_agency g ON g.id = r.agency_id
    WHERE %(dim)s::text = 'agency'
    UNION ALL
    SELECT w.id, w.fiscal_year, w.municipio_id, NULL, NULL, w.amount_approved, w.amount_exercised
    FROM w
    WHERE %(dim)s::text = 'none'
), zones AS (
    SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name,
           coalesce(z.population, a.population_2020, m.population_2020) AS population
    FROM priority_zones_zone z
    LEFT JOIN priority_zones_ageb a ON z.kind = 'ZAP_URBANA' AND a.cvegeo = z.cvegeo
    LEFT JOIN priority_zones_municipio m ON z.kind = 'ZAP_RURAL' AND m.cvegeo = z.cvegeo
    WHERE z.status = 'PUBLISHED'
      AND (%(kind)s::text IS NULL OR z.kind = %(kind)s::text)
      AND (%(zone_year)s::int IS NULL OR z.fiscal_year = %(zone_year)s::int)
      AND %(by)s::text = 'zone'
), placed AS (
    SELECT z.id AS area_id, z.kind, z.fiscal_year AS zone_year, z.cvegeo, z.name, z.population,
           false AS outside, k.*
    FROM keyed k
    JOIN works_map_workzone wz ON wz.work_id = k.id
    JOIN zones z ON z.id = wz.zone_id
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, true, k.*
    FROM keyed k
    WHERE %(by)s::text = 'zone'
      AND NOT EXISTS (SELECT 1 FROM works_map_workzone wz JOIN zones z ON z.id = wz.zone_id
                      WHERE wz.work_id = k.id)
    UNION ALL
    SELECT m.id, NULL, NULL, m.cvegeo, m.name, m.population_2020, false, k.*
    FROM keyed k
    JOIN priority_zones_municipio m ON m.id = k.municipio_id
    WHERE %(by)s::text = 'municipio'
    -- The plain table (dim 'none') lists every area, with or without works.
    UNION ALL
    SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, z.population, false,
           NULL::bigint, NULL::smallint, NULL::bigint, NULL, NULL, NULL::numeric, NULL::numeric
    FROM zones z
    WHERE %(dim)s::text = 'none'
    UNION ALL
    SELECT m.id, NULL, NULL, m.cvegeo, m.name, m.population_2020, false,
           NULL::bigint, NULL::smallint, NULL::bigint, NULL, NULL, NULL::numeric, NULL::numeric
    FROM priority_zones_municipio m
    WHERE %(dim)s::text = 'none' AND %(by)s::text = 'municipio'
)
SELECT area_id, kind, zone_year, cvegeo, name, population, outside, fiscal_year, key, label,
       count(DISTINCT id), sum(approved), sum(exercised)
FROM placed
GROUP BY area_id, kind, zone_year, cvegeo, name, population, outside, fiscal_year, key, label
ORDER BY outside, cvegeo NULLS LAST, area_id, fiscal_year, key NULLS LAST
