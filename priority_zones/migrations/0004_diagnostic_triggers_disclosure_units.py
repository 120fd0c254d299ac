from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("priority_zones", "0003_household_diagnostics")]

    operations = [
        migrations.RunSQL(
            (SQL_DIR / "diagnostic.sql").read_text(),
            reverse_sql="DROP TRIGGER IF EXISTS priority_zones_diagnostic_immutable ON priority_zones_diagnostic;"
            "DROP TRIGGER IF EXISTS priority_zones_diagnostic_latest ON priority_zones_diagnostic;"
            "DROP TRIGGER IF EXISTS priority_zones_household_keep_latest ON priority_zones_household;"
            "DROP FUNCTION IF EXISTS priority_zones_household_keep_latest();"
            "DROP FUNCTION IF EXISTS priority_zones_diagnostic_refuse_update();"
            "DROP FUNCTION IF EXISTS priority_zones_diagnostic_set_latest();",
        ),
        migrations.RunSQL(
            (SQL_DIR / "disclosure_units.sql").read_text(),
            reverse_sql="DROP FUNCTION IF EXISTS priority_zones_refresh_disclosure_units();"
            "DROP MATERIALIZED VIEW IF EXISTS priority_zones_disclosureunit;",
        ),
    ]
