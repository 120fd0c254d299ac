from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("growth", "0001_initial")]

    operations = [
        migrations.RunSQL(
            (SQL_DIR / "growth_units.sql").read_text(),
            reverse_sql="DROP FUNCTION IF EXISTS growth_refresh_units();"
            "DROP MATERIALIZED VIEW IF EXISTS growth_growthunit;",
        ),
    ]
