"""The base of every app's domain exceptions: a stable code, a translatable message, an HTTP status."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: str = "invalid"
    default_message = _("The request could not be carried out.")
    status_code: int = 400

    def __init__(self, message=None, **params):
        self.params = params
        self.message = message if message is not None else self.default_message
        super().__init__(self.detail)  # logs show the filled-in message, not the template

    @property
    def detail(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


class Conflict(DomainError):
    """Someone else changed the object: reload and try again (HTTP 409)."""

    code = "conflict"
    default_message = _("Someone else changed this in the meantime. Reload and try again.")
    status_code = 409
