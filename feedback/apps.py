from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from feedback import emails, receivers, survey_skip
        from outbox import kinds

        receivers.connect()
        survey_skip.register()
        kinds.register(emails.SurveyKind())
        kinds.register(emails.RelationshipSurveyKind())
