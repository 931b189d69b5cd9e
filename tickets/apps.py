from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from tickets.roles import ensure_role_groups
        from tickets.services import notifications

        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="tickets.ensure_role_groups")

        notifications.connect()
