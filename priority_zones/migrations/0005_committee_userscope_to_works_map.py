"""Committee and UserScope are now works_map's (their tables stay; see works_map migration 0010)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("priority_zones", "0004_diagnostic_triggers_disclosure_units"),
        ("works_map", "0010_committee_userscope_from_priority_zones"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel("Committee"), migrations.DeleteModel("UserScope")]
        )
    ]
