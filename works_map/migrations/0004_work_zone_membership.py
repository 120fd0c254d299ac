from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

_SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
# The functions first: the file that creates the table, the triggers and the backfill uses them.
SQL = (_SQL_DIR / "work_zone_membership_functions.sql").read_text() + (
    _SQL_DIR / "work_zone_membership.sql"
).read_text()

REVERSE_SQL = """
DROP TRIGGER IF EXISTS works_map_workzone_work_insert ON works_map_work;
DROP TRIGGER IF EXISTS works_map_workzone_work_update ON works_map_work;
DROP TRIGGER IF EXISTS works_map_workzone_zone_insert ON priority_zones_zone;
DROP TRIGGER IF EXISTS works_map_workzone_zone_update ON priority_zones_zone;
DROP FUNCTION IF EXISTS works_map_workzone_from_works();
DROP FUNCTION IF EXISTS works_map_workzone_from_zones();
DROP FUNCTION IF EXISTS works_map_totals_lock();
DROP TABLE IF EXISTS works_map_workzone;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("priority_zones", "0004_diagnostic_triggers_disclosure_units"),
        ("works_map", "0003_fais_rule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkZone",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "zone", "work", blank=True, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        (
                            "zone",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="priority_zones.zone",
                            ),
                        ),
                        (
                            "work",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="works_map.work",
                            ),
                        ),
                    ],
                    options={"verbose_name": "obra en zona", "verbose_name_plural": "obras en zonas"},
                ),
            ],
            database_operations=[migrations.RunSQL(SQL, reverse_sql=REVERSE_SQL)],
        ),
    ]
