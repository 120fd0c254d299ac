"""A bulk write (the works import) may defer the totals and membership triggers to one apply at its
end, so it holds the totals' advisory lock from that apply to its commit, not for its whole run
(sql/deferred_totals.sql). The trigger functions gain the deferral check; investment_totals.sql
re-runs whole (its backfill recomputes the totals from the stored rows, as in 0005)."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):
    dependencies = [("works_map", "0012_fais_rule_table")]

    operations = [
        migrations.RunSQL((SQL / name).read_text(), reverse_sql=migrations.RunSQL.noop)
        for name in ("work_zone_membership_functions.sql", "investment_totals.sql", "deferred_totals.sql")
    ]
