"""The dedicated role: the group "salud_infantil" holding growth.view_child_data."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    config = apps.get_app_config("growth")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="salud_infantil")
    group.permissions.add(Permission.objects.get(codename="view_child_data", content_type__app_label="growth"))


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="salud_infantil").delete()


class Migration(migrations.Migration):
    dependencies = [("growth", "0002_growth_units"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
