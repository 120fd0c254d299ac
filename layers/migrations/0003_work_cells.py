"""Per-cell running totals of published works for the works layer's low-zoom clusters.

The table and its triggers are in layers/sql/work_cells.sql (see gis_core.tiles.CellPyramid).
"""

from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "work_cells.sql").read_text()

REVERSE_SQL = """
DROP TRIGGER IF EXISTS layers_workcell_insert ON works_map_work;
DROP TRIGGER IF EXISTS layers_workcell_update ON works_map_work;
DROP TRIGGER IF EXISTS layers_workcell_delete ON works_map_work;
DROP TRIGGER IF EXISTS layers_workcell_truncate ON works_map_work;
DROP FUNCTION IF EXISTS layers_workcell_from_works();
DROP FUNCTION IF EXISTS layers_workcell_truncate();
DROP FUNCTION IF EXISTS layers_workcell_levels();
DROP TABLE IF EXISTS layers_workcell;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("layers", "0002_raster_layer"),
        ("works_map", "0004_work_zone_membership"),
    ]

    operations = [migrations.RunSQL(SQL, reverse_sql=REVERSE_SQL)]
