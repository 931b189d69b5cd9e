from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("Escalation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from escalation import phrases, receivers  # noqa: F401 - phrases registers the sentences
        from escalation.services.notifications import NotificationKind
        from outbox import kinds

        receivers.connect()  # tickets' and feedback's events, ticket_status_changed (pending pause) included
        kinds.register(NotificationKind())
