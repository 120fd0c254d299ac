-- One page of the cross-tab's areas (investment_crosstab_cells.sql with `areas`): the next zones or
-- municipios after a cursor, in the cross-tab's own row order (CVEGEO, nulls last, then id), that hold
-- at least one cell the request reads (so every area of a page has rows), up to `size` + 1 of them
-- (one more than a page: whether there is a next page). Each candidate is probed through the cells'
-- primary key (dim, status, scope, area_id, ...), so a page costs its areas, not the whole table.
--
-- Parameters: as investment_crosstab_cells.sql (by, dim, kind, zone_year, years, statuses, keys,
-- municipios), then after_null, after_cvegeo, after_id (the last area served: NULL for the first
-- page) and size.
SELECT a.id, a.cvegeo
FROM (
    SELECT z.id, z.cvegeo FROM priority_zones_zone z
    WHERE %(by)s::text = 'zone' AND z.status = 'PUBLISHED'
      AND (%(kind)s::text IS NULL OR z.kind = %(kind)s::text)
      AND (%(zone_year)s::int IS NULL OR z.fiscal_year = %(zone_year)s::int)
    UNION ALL
    SELECT m.id, m.cvegeo FROM priority_zones_municipio m
    WHERE %(by)s::text = 'municipio'
      AND (%(municipios)s::bigint[] IS NULL OR m.id = ANY (%(municipios)s::bigint[]))
) a
WHERE (%(after_id)s::bigint IS NULL
       OR (a.cvegeo IS NULL, coalesce(a.cvegeo, ''), a.id)
          > (%(after_null)s::boolean, coalesce(%(after_cvegeo)s::text, ''), %(after_id)s::bigint))
  AND EXISTS (
    SELECT 1 FROM works_map_xtcell x
    WHERE x.dim = (CASE %(dim)s::text WHEN 'source' THEN 's' WHEN 'category' THEN 'c' ELSE 'a' END)::"char"
      AND (CASE WHEN %(statuses)s::text[] IS NULL THEN x.status = '*'
                ELSE x.status = ANY (%(statuses)s::text[]) END)
      AND x.scope = (CASE %(by)s::text WHEN 'zone' THEN 'Z' ELSE 'M' END)::"char"
      AND x.area_id = a.id
      AND (%(years)s::int[] IS NULL OR x.work_year = ANY (%(years)s::int[]))
      AND (%(keys)s::bigint[] IS NULL OR x.key_id = ANY (%(keys)s::bigint[]))
  )
ORDER BY a.cvegeo IS NULL, a.cvegeo, a.id
LIMIT %(size)s::int + 1
