"""The content types of the moved models follow them (tickets.customer -> accounts.customer, ...), so that
their permissions (and the groups and users holding them) and the admin's log entries stay attached.

On a fresh database the content types were made by tickets/0002_roles (which creates permissions); on one
where Django already made `accounts.*` content types (a migrate stopped between the two apps), the old
permissions are merged into the new ones and the old content type goes.
"""

from django.db import migrations

MODELS = ("profile", "team", "membership", "customer")


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry") if "admin" in apps.app_configs else None
    for model in MODELS:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            kept = Permission.objects.filter(content_type=new, codename=permission.codename).first()
            if kept is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            for group in permission.group_set.all():
                group.permissions.add(kept)
            for user in permission.user_set.all():
                user.user_permissions.add(kept)
            permission.delete()
        if LogEntry is not None:
            LogEntry.objects.filter(content_type=old).update(content_type=new)
        old.delete()


def to_accounts(apps, schema_editor):
    _move(apps, "tickets", "accounts")


def to_tickets(apps, schema_editor):
    _move(apps, "accounts", "tickets")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(to_accounts, to_tickets)]
