-- The investment cross-tab (investment_crosstab.sql) read from the pre-summed cells
-- (investment_cells.sql), for the requests whose work filters the cells can express: work fiscal
-- years, work statuses, the categories of dim=category and the municipios of by=municipio. Same
-- columns, same rows, same order as the live statement; works_map.analysis picks one or the other.
--
-- Parameters: by, dim ('source' | 'category' | 'agency'), kind, zone_year as the live statement;
-- years (int[] or NULL: any), statuses (text[] or NULL: any, read from the '*' cells), keys (bigint[]
-- of category ids or NULL), municipios (bigint[] or NULL); areas (bigint[] of zone or municipio ids,
-- or NULL: every area) and outside (boolean: with by=zone, the `outside` rows too), so a page of areas
-- (investment_crosstab_areas.sql) reads only its own cells, through the primary key.
-- The cells come in two branches with the same filters, not one with an OR: the first reaches a page's
-- areas through the primary key (dim, status, scope, area_id), which an OR on scope and area_id would
-- turn into a filter over every area's cells; the second adds the outside rows (scopes C and T).
WITH c AS (
    SELECT x.scope, x.area_id, x.kind, x.zone_year, x.work_year, x.key_id, x.n, x.approved, x.exercised
    FROM works_map_xtcell x
    WHERE x.dim = (CASE %(dim)s::text WHEN 'source' THEN 's' WHEN 'category' THEN 'c' ELSE 'a' END)::"char"
      AND (CASE WHEN %(statuses)s::text[] IS NULL THEN x.status = '*'
                ELSE x.status = ANY (%(statuses)s::text[]) END)
      AND (%(years)s::int[] IS NULL OR x.work_year = ANY (%(years)s::int[]))
      AND (%(keys)s::bigint[] IS NULL OR x.key_id = ANY (%(keys)s::bigint[]))
      AND x.scope = (CASE %(by)s::text WHEN 'zone' THEN 'Z' ELSE 'M' END)::"char"
      AND (%(areas)s::bigint[] IS NULL OR x.area_id = ANY (%(areas)s::bigint[]))
    UNION ALL
    SELECT x.scope, x.area_id, x.kind, x.zone_year, x.work_year, x.key_id, x.n, x.approved, x.exercised
    FROM works_map_xtcell x
    WHERE x.dim = (CASE %(dim)s::text WHEN 'source' THEN 's' WHEN 'category' THEN 'c' ELSE 'a' END)::"char"
      AND (CASE WHEN %(statuses)s::text[] IS NULL THEN x.status = '*'
                ELSE x.status = ANY (%(statuses)s::text[]) END)
      AND (%(years)s::int[] IS NULL OR x.work_year = ANY (%(years)s::int[]))
      AND (%(keys)s::bigint[] IS NULL OR x.key_id = ANY (%(keys)s::bigint[]))
      AND %(by)s::text = 'zone' AND %(outside)s::boolean AND x.scope = ANY ('{C,T}'::"char"[])
), sums AS (
    SELECT c.area_id, false AS outside, c.work_year AS fiscal_year, c.key_id,
           sum(c.n) AS n, sum(c.approved) AS approved, sum(c.exercised) AS exercised
    FROM c
    WHERE c.scope = 'M' AND (%(municipios)s::bigint[] IS NULL OR c.area_id = ANY (%(municipios)s::bigint[]))
    GROUP BY 1, 3, 4
    UNION ALL
    SELECT c.area_id, false, c.work_year, c.key_id, sum(c.n), sum(c.approved), sum(c.exercised)
    FROM c
    JOIN priority_zones_zone z ON z.id = c.area_id
    WHERE c.scope = 'Z' AND z.status = 'PUBLISHED'
      AND (%(kind)s::text IS NULL OR z.kind = %(kind)s::text)
      AND (%(zone_year)s::int IS NULL OR z.fiscal_year = %(zone_year)s::int)
    GROUP BY 1, 3, 4
    -- Outside every zone asked for: all works less those some such zone covers.
    UNION ALL
    SELECT NULL, true, c.work_year, c.key_id,
           sum(CASE c.scope WHEN 'T' THEN c.n ELSE -c.n END),
           sum(CASE c.scope WHEN 'T' THEN c.approved ELSE -c.approved END),
           sum(CASE c.scope WHEN 'T' THEN c.exercised ELSE -c.exercised END)
    FROM c
    WHERE c.scope = 'T'
       OR (c.scope = 'C' AND c.kind = coalesce(%(kind)s::text, '*')
           AND c.zone_year = coalesce(%(zone_year)s::int, 0))
    GROUP BY 3, 4
)
SELECT s.area_id, z.kind, z.fiscal_year, coalesce(z.cvegeo, m.cvegeo), coalesce(z.name, m.name),
       CASE WHEN %(by)s::text = 'zone' THEN coalesce(z.population, a.population_2020, zm.population_2020)
            ELSE m.population_2020 END,
       s.outside, s.fiscal_year,
       coalesce(fs.code, cat.code, g.code), coalesce(fs.name, cat.name, g.acronym),
       s.n, s.approved, s.exercised
FROM sums s
LEFT JOIN priority_zones_zone z ON %(by)s::text = 'zone' AND z.id = s.area_id
LEFT JOIN priority_zones_ageb a ON z.kind = 'ZAP_URBANA' AND a.cvegeo = z.cvegeo
LEFT JOIN priority_zones_municipio zm ON z.kind = 'ZAP_RURAL' AND zm.cvegeo = z.cvegeo
LEFT JOIN priority_zones_municipio m ON %(by)s::text = 'municipio' AND m.id = s.area_id
LEFT JOIN works_map_fundingsource fs ON %(dim)s::text = 'source' AND fs.id = s.key_id
LEFT JOIN works_map_category cat ON %(dim)s::text = 'category' AND cat.id = s.key_id
LEFT JOIN works_map_agency g ON %(dim)s::text = 'agency' AND g.id = s.key_id
WHERE s.n > 0
ORDER BY s.outside, 4 NULLS LAST, s.area_id, s.fiscal_year, 9 NULLS LAST
