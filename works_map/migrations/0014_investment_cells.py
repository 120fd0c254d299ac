"""Pre-summed cells behind the investment cross-tab (sql/investment_cells.sql), kept by statement
triggers like the investment totals and backfilled from the stored works; the deferred apply of a bulk
import refreshes them too (deferred_totals.sql re-run). Issue 15."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"

REVERSE_SQL = """
DROP TRIGGER IF EXISTS works_map_xt_work_insert ON works_map_work;
DROP TRIGGER IF EXISTS works_map_xt_work_update ON works_map_work;
DROP TRIGGER IF EXISTS works_map_xt_work_delete ON works_map_work;
DROP TRIGGER IF EXISTS works_map_xt_work_truncate ON works_map_work;
DROP TRIGGER IF EXISTS works_map_xt_funding_insert ON works_map_workfunding;
DROP TRIGGER IF EXISTS works_map_xt_funding_update ON works_map_workfunding;
DROP TRIGGER IF EXISTS works_map_xt_funding_delete ON works_map_workfunding;
DROP TRIGGER IF EXISTS works_map_xt_funding_truncate ON works_map_workfunding;
DROP TRIGGER IF EXISTS works_map_xt_agency_insert ON works_map_workagency;
DROP TRIGGER IF EXISTS works_map_xt_agency_update ON works_map_workagency;
DROP TRIGGER IF EXISTS works_map_xt_agency_delete ON works_map_workagency;
DROP TRIGGER IF EXISTS works_map_xt_agency_truncate ON works_map_workagency;
DROP TRIGGER IF EXISTS works_map_xt_member_insert ON works_map_workzone;
DROP TRIGGER IF EXISTS works_map_xt_member_delete ON works_map_workzone;
DROP TRIGGER IF EXISTS works_map_xt_member_truncate ON works_map_workzone;
DROP TRIGGER IF EXISTS works_map_xt_zone_update ON priority_zones_zone;
DROP FUNCTION IF EXISTS works_map_xt_from_works, works_map_xt_from_links, works_map_xt_from_members,
    works_map_xt_from_zones, works_map_xt_truncate, works_map_xt_refresh, works_map_xt_contributions;
DROP TABLE IF EXISTS works_map_xtcell, works_map_xtwork, works_map_xtkey;
"""


class Migration(migrations.Migration):
    dependencies = [("works_map", "0013_import_deferred_totals")]

    operations = [
        migrations.RunSQL((SQL / "investment_cells.sql").read_text(), reverse_sql=REVERSE_SQL),
        migrations.RunSQL((SQL / "deferred_totals.sql").read_text(), reverse_sql=migrations.RunSQL.noop),
    ]
