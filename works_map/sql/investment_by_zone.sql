-- Investment in every published zone, plus one row for the works in none of them.
--
-- Zone membership is precomputed in works_map_workzone (kept exact by the triggers in
-- work_zone_membership.sql), so this is one pass over the filtered works, left-joined with their
-- memberships in the filtered zones: a work in two overlapping zones yields two rows, a work in
-- none yields one row with a NULL zone, which becomes the outside row.
-- Parameters: kind (text or NULL), year (int or NULL; filters zones and works alike).
WITH zones AS MATERIALIZED (
    SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name
    FROM priority_zones_zone z
    WHERE z.status = 'PUBLISHED'
      AND (%(kind)s::text IS NULL OR z.kind = %(kind)s::text)
      AND (%(year)s::int IS NULL OR z.fiscal_year = %(year)s::int)
), members AS (
    SELECT m.zone_id, m.work_id FROM works_map_workzone m JOIN zones z ON z.id = m.zone_id
), per_zone AS (
    SELECT mb.zone_id, count(*) AS n,
           sum(w.amount_approved) AS approved, sum(w.amount_exercised) AS exercised
    FROM works_map_work w
    LEFT JOIN members mb ON mb.work_id = w.id
    WHERE w.published AND (%(year)s::int IS NULL OR w.fiscal_year = %(year)s::int)
    GROUP BY mb.zone_id
)
SELECT z.id, z.kind, z.fiscal_year, z.cvegeo, z.name, false AS outside,
       coalesce(pz.n, 0), coalesce(pz.approved, 0), coalesce(pz.exercised, 0)
FROM zones z LEFT JOIN per_zone pz ON pz.zone_id = z.id
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, true,
       coalesce(sum(pz.n), 0), coalesce(sum(pz.approved), 0), coalesce(sum(pz.exercised), 0)
FROM per_zone pz WHERE pz.zone_id IS NULL
ORDER BY 6, 1
