from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "investment_totals.sql").read_text()

REVERSE_SQL = """
DROP TRIGGER IF EXISTS works_map_totals_work_insert ON works_map_work;
DROP TRIGGER IF EXISTS works_map_totals_work_update ON works_map_work;
DROP TRIGGER IF EXISTS works_map_totals_work_delete ON works_map_work;
DROP TRIGGER IF EXISTS works_map_totals_work_truncate ON works_map_work;
DROP TRIGGER IF EXISTS works_map_totals_member_insert ON works_map_workzone;
DROP TRIGGER IF EXISTS works_map_totals_member_delete ON works_map_workzone;
DROP TRIGGER IF EXISTS works_map_totals_member_truncate ON works_map_workzone;
DROP TRIGGER IF EXISTS works_map_totals_zone_update ON priority_zones_zone;
DROP TRIGGER IF EXISTS works_map_totals_zone_delete ON priority_zones_zone;
DROP FUNCTION IF EXISTS works_map_totals_from_works();
DROP FUNCTION IF EXISTS works_map_totals_from_members();
DROP FUNCTION IF EXISTS works_map_totals_from_zones();
DROP FUNCTION IF EXISTS works_map_totals_truncate();
DROP FUNCTION IF EXISTS works_map_zonework_refresh(bigint[], bigint[]);
DROP FUNCTION IF EXISTS works_map_workcover_refresh(bigint[]);
DROP TABLE IF EXISTS
    works_map_zonetotal, works_map_zonework, works_map_worktotal, works_map_workcover, works_map_covertotal;
"""


class Migration(migrations.Migration):
    """Running totals for the all-zones investment table, kept by triggers (sql/investment_totals.sql)."""

    dependencies = [("works_map", "0004_work_zone_membership")]

    operations = [migrations.RunSQL(SQL, reverse_sql=REVERSE_SQL)]
