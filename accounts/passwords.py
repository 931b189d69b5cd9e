"""Password reset: Django's own views and tokens, with the desk's pages, a rate limit, and the email sent
by the worker (a slow or absent mail server must not hold up or break the page).

The email is rendered here, in the language the person asking reads the page in, and handed to the
worker as text; its link starts with SITE_URL like every link the desk sends. Nothing is stored: a lost
email costs only asking again (the token is derived from the account and expires with
PASSWORD_RESET_TIMEOUT).
"""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from accounts.tasks import send_password_reset
from helpdesk.celery import enqueue

logger = logging.getLogger(__name__)


class DeskPasswordResetForm(PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        if not enqueue(send_password_reset, subject=subject, body=body, to=to_email):
            logger.error("password reset email for a user could not be queued (broker unavailable)")


def _rate(group, request) -> str:
    return settings.PUBLIC_FORM_RATE


def _email_key(group, request) -> str:
    return (request.POST.get("email") or "").strip().lower()


@method_decorator(ratelimit(group="helpdesk.password_reset.ip", key="ip", rate=_rate, method="POST", block=False),
                  name="post")
@method_decorator(ratelimit(group="helpdesk.password_reset.email", key=_email_key, rate=_rate, method="POST",
                            block=False), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether or not an account has the address (Django's behaviour), and a limit per IP
    and per address so that the form cannot be used to flood someone's inbox."""

    form_class = DeskPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    extra_email_context = None

    def get_extra_email_context(self) -> dict:
        return {"site_url": settings.SITE_URL.rstrip("/")}

    def form_valid(self, form):
        if getattr(self.request, "limited", False):
            form.add_error(None, _("You have sent this form many times in a short while. Please wait a little and "
                                   "try again; what you wrote is still here."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)
