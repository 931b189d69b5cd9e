from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage


# The name it had when it lived in helpdesk/accounts.py: messages queued before an upgrade still find it.
@shared_task(name="helpdesk.send_password_reset", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset(*, subject: str, body: str, to: str) -> bool:
    """Send the password reset email rendered by `accounts.passwords` (nothing is stored: see there)."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
    return True
