from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    """The disclosure units become a table refreshed per 5 km square (growth_units_incremental.sql)."""

    dependencies = [("growth", "0003_role")]

    operations = [
        migrations.RunSQL(
            (SQL_DIR / "growth_units_incremental.sql").read_text(),
            reverse_sql="DROP FUNCTION IF EXISTS growth_refresh_units_at(geometry[]);"
            "DROP FUNCTION IF EXISTS growth_refresh_units();"
            "DROP FUNCTION IF EXISTS growth_units_of(bigint[], bigint[]);"
            "DROP INDEX IF EXISTS growth_child_square;"
            "DROP TABLE IF EXISTS growth_growthunit;" + (SQL_DIR / "growth_units.sql").read_text(),
        ),
    ]
