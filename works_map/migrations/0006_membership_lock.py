"""The work-zone membership triggers take the totals' advisory lock (a work and a zone inserted at
once by two transactions no longer lose their membership), skip statements that move nothing, and
change only the memberships that differ when a work moves or a zone is reshaped."""

from pathlib import Path

from django.db import migrations

FUNCTIONS = (
    Path(__file__).resolve().parent.parent / "sql" / "work_zone_membership_functions.sql"
).read_text()


class Migration(migrations.Migration):
    dependencies = [("works_map", "0005_investment_totals")]

    operations = [migrations.RunSQL(FUNCTIONS, reverse_sql=migrations.RunSQL.noop)]
