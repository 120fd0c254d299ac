from pathlib import Path

from django.db import migrations

SQL = (Path(__file__).resolve().parent.parent / "sql" / "work_point_trigger.sql").read_text()


class Migration(migrations.Migration):
    dependencies = [("works_map", "0001_initial")]

    operations = [
        migrations.RunSQL(
            SQL,
            reverse_sql="DROP TRIGGER IF EXISTS works_map_work_set_point ON works_map_work;"
            "DROP FUNCTION IF EXISTS works_map_work_set_point();",
        )
    ]
