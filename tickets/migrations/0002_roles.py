"""The four roles as groups with their permissions. Later apps add their own permissions to these groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT = [
    "view_ticket", "change_ticket", "add_ticket", "view_message", "add_message", "view_customer", "add_customer",
    "view_macro", "view_tag", "add_tag", "view_attachment", "add_attachment", "view_ticketevent",
]
SUPERVISOR = AGENT + ["add_macro", "change_macro", "delete_macro", "change_customer", "view_queue", "view_team"]
ROLES = {"customer": [], "agent": AGENT, "supervisor": SUPERVISOR, "admin": None}  # None: every tickets permission


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    tickets_perms = Permission.objects.filter(content_type__app_label="tickets")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = tickets_perms if codenames is None else tickets_perms.filter(codename__in=codenames)
        group.permissions.add(*perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
