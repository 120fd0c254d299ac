"""LayerVersion is now gis_core's (its table stays; see gis_core/migrations/0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("layers", "0003_work_cells"), ("gis_core", "0001_kernel_tables")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("LayerVersion")])
    ]
