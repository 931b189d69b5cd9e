from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from outbox import kinds
        from tickets import phrases  # noqa: F401 - registers the timeline's sentences
        from tickets.services import notifications, search

        notifications.connect()
        search.connect()
        for kind in notifications.KINDS:
            kinds.register(kind)
