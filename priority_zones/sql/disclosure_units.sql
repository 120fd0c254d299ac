-- Disclosure units: the only source of public figures about households (see priority_zones/disclosure.py).
-- Each household (its latest diagnostic) falls in a 1 km square of EPSG:6372 (metres). A square with
-- at least 10 households is a unit on its own; the households of smaller squares are pooled into
-- their 5 km parent square, which is a unit if it reaches 10 households; the rest are never published.
-- Units are disjoint and every unit holds >= 10 households, so any sum or difference of published
-- areas (which are unions of whole units, assigned by the unit's centre) covers >= 10 households.
DROP MATERIALIZED VIEW IF EXISTS priority_zones_disclosureunit;
CREATE MATERIALIZED VIEW priority_zones_disclosureunit AS
WITH cells AS (
    SELECT d.*,
           floor(ST_X(p) / 1000)::bigint AS cx,
           floor(ST_Y(p) / 1000)::bigint AS cy
      FROM (SELECT ST_Transform(h.location, 6372) AS p, dg.*
              FROM priority_zones_household h
              JOIN priority_zones_diagnostic dg ON dg.id = h.latest_diagnostic_id) d
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
       count(*)::int AS households,
       count(*) FILTER (WHERE rezago_educativo)::int AS rezago_educativo,
       count(*) FILTER (WHERE acceso_salud)::int AS acceso_salud,
       count(*) FILTER (WHERE seguridad_social)::int AS seguridad_social,
       count(*) FILTER (WHERE calidad_vivienda)::int AS calidad_vivienda,
       count(*) FILTER (WHERE servicios_basicos)::int AS servicios_basicos,
       count(*) FILTER (WHERE alimentacion)::int AS alimentacion,
       count(rezago_educativo)::int AS known_rezago_educativo,
       count(acceso_salud)::int AS known_acceso_salud,
       count(seguridad_social)::int AS known_seguridad_social,
       count(calidad_vivienda)::int AS known_calidad_vivienda,
       count(servicios_basicos)::int AS known_servicios_basicos,
       count(alimentacion)::int AS known_alimentacion,
       count(*) FILTER (WHERE poverty_class = 'POBREZA_EXTREMA')::int AS pobreza_extrema,
       count(*) FILTER (WHERE poverty_class = 'POBREZA_MODERADA')::int AS pobreza_moderada,
       count(*) FILTER (WHERE poverty_class = 'VULNERABLE_CARENCIAS')::int AS vulnerable_carencias,
       count(*) FILTER (WHERE poverty_class = 'VULNERABLE_INGRESOS')::int AS vulnerable_ingresos,
       count(*) FILTER (WHERE poverty_class = 'NO_POBRE')::int AS no_pobre,
       count(*) FILTER (WHERE poverty_class = 'INDETERMINADO')::int AS indeterminado
  FROM assigned
 GROUP BY unit
HAVING count(*) >= 10;

CREATE UNIQUE INDEX priority_zones_disclosureunit_unit ON priority_zones_disclosureunit (unit);
CREATE INDEX priority_zones_disclosureunit_centre ON priority_zones_disclosureunit USING gist (centre);

-- Called by the actions after households or diagnostics change (cursor.callproc, no SQL in Python).
CREATE OR REPLACE FUNCTION priority_zones_refresh_disclosure_units() RETURNS void AS $$
BEGIN
    REFRESH MATERIALIZED VIEW priority_zones_disclosureunit;
END;
$$ LANGUAGE plpgsql;
