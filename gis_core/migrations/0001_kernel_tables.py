"""The layer versions (from layers) and the change history (from planning) become kernel models.

The tables stay where they are: the state moves here (SeparateDatabaseAndState), and the history
is re-keyed from the two-value `kind` (zone, work) to the model label, so any app can keep one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LABELS = (("zone", "priority_zones.zone"), ("work", "works_map.work"))


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("layers", "0003_work_cells"),
        ("planning", "0003_importjob"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LayerVersion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=64, unique=True)),
                        ("version", models.PositiveBigIntegerField(default=1)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"db_table": "layers_layerversion"},
                ),
                migrations.CreateModel(
                    name="Version",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("zone", "Zona"), ("work", "Obra")], max_length=8, verbose_name="objeto")),
                        ("object_id", models.BigIntegerField(verbose_name="id del objeto")),
                        ("number", models.PositiveIntegerField(verbose_name="versión")),
                        ("change", models.CharField(choices=[("CREATE", "Creación"), ("UPDATE", "Cambio"), ("REVERT", "Reversión"), ("DELETE", "Eliminación")], max_length=8, verbose_name="cambio")),
                        ("at", models.DateTimeField(auto_now_add=True, verbose_name="fecha y hora")),
                        ("state", models.JSONField(verbose_name="estado")),
                        ("changed_fields", models.JSONField(default=list, verbose_name="campos cambiados")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="nota")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "planning_version",
                        "verbose_name": "versión",
                        "verbose_name_plural": "versiones",
                        "ordering": ["kind", "object_id", "-number"],
                        "constraints": [models.UniqueConstraint(fields=("kind", "object_id", "number"), name="version_unique_number", violation_error_message="Esa versión ya existe.")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RemoveConstraint(model_name="version", name="version_unique_number"),
        migrations.RenameField(model_name="version", old_name="kind", new_name="model"),
        migrations.AlterField(
            model_name="version",
            name="model",
            field=models.CharField(max_length=100, verbose_name="modelo"),
        ),
        migrations.RunSQL(
            [("UPDATE planning_version SET model = %s WHERE model = %s", [label, kind]) for kind, label in LABELS],
            [("UPDATE planning_version SET model = %s WHERE model = %s", [kind, label]) for kind, label in LABELS],
        ),
        migrations.AddConstraint(
            model_name="version",
            constraint=models.UniqueConstraint(fields=("model", "object_id", "number"), name="version_unique_number", violation_error_message="Esa versión ya existe."),
        ),
        migrations.AlterModelOptions(
            name="version",
            options={"ordering": ["model", "object_id", "-number"], "verbose_name": "versión", "verbose_name_plural": "versiones"},
        ),
    ]
