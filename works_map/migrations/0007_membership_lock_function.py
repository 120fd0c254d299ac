"""The work-zone membership triggers take the advisory lock through works_map_totals_lock(), now
defined with them (sql/work_zone_membership_functions.sql), instead of repeating its key; and an
UPDATE that moves nothing is told by a count over the transition tables, not a nested-loop EXISTS."""

from pathlib import Path

from django.db import migrations

FUNCTIONS = (
    Path(__file__).resolve().parent.parent / "sql" / "work_zone_membership_functions.sql"
).read_text()


class Migration(migrations.Migration):
    dependencies = [("works_map", "0006_membership_lock")]

    operations = [migrations.RunSQL(FUNCTIONS, reverse_sql=migrations.RunSQL.noop)]
