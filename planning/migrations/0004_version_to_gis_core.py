"""Version is now gis_core's (its table stays; see gis_core/migrations/0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("planning", "0003_importjob"), ("gis_core", "0001_kernel_tables")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Version")])
    ]
