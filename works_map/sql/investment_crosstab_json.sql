-- A page of the cross-tab as JSON text built by PostgreSQL: the rows of the cells' statement
-- (investment_crosstab_cells.sql, put in place of the braces below) as the JSON array the API answers, with the
-- same keys, order and values as works_map.analysis._shaped writes them in Python (a test compares
-- both on every case), so a page of 10,000 rows is not turned into dicts, Decimals and JSON in Python.
--
-- Amounts are non-negative with two decimals (check constraints on works and funding rows), so
-- `round(x, 2)` prints them exactly as Python's str(Decimal.quantize(0.01)). Per inhabitant: the
-- amount in centavos divided by the population in integers, rounded half to even as Python's
-- Decimal.quantize, null when the population is unknown or zero.
SELECT coalesce(json_agg(json_build_object(
           'area_id', r.area_id, 'kind', r.kind, 'zone_year', r.zone_year, 'cvegeo', r.cvegeo,
           'name', r.name, 'outside', r.outside, 'population', r.population,
           'fiscal_year', r.fiscal_year, 'key', r.key, 'label', r.label, 'works', r.n,
           'aprobado', round(r.approved, 2)::text, 'ejercido', round(r.exercised, 2)::text,
           'aprobado_por_habitante', per_a.text, 'ejercido_por_habitante', per_e.text)
       ORDER BY r.outside, r.cvegeo NULLS LAST, r.area_id, r.fiscal_year, r.key NULLS LAST), '[]')::text
FROM ({cells}) AS r (area_id, kind, zone_year, cvegeo, name, population, outside, fiscal_year, key,
                     label, n, approved, exercised)
CROSS JOIN LATERAL (
    SELECT trunc(r.approved * 100) AS a, trunc(r.exercised * 100) AS e, nullif(r.population, 0) AS p
) AS c
CROSS JOIN LATERAL (
    SELECT ((div(c.a, c.p) + CASE WHEN 2 * mod(c.a, c.p) > c.p
                                    OR (2 * mod(c.a, c.p) = c.p AND mod(div(c.a, c.p), 2) = 1)
                               THEN 1 ELSE 0 END) / 100.0)::numeric(20, 2)::text
) AS per_a (text)
CROSS JOIN LATERAL (
    SELECT ((div(c.e, c.p) + CASE WHEN 2 * mod(c.e, c.p) > c.p
                                    OR (2 * mod(c.e, c.p) = c.p AND mod(div(c.e, c.p), 2) = 1)
                               THEN 1 ELSE 0 END) / 100.0)::numeric(20, 2)::text
) AS per_e (text)
