"""Form fields shared by the customer's and the agent's forms."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


def _number(value: int) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


class MessageLengthValidator(MaxLengthValidator):
    """Too long: say by how much, in the reader's language and number format."""

    def __call__(self, value) -> None:
        length = len(value)
        if length > self.limit_value:
            excess = length - self.limit_value
            raise ValidationError(
                ngettext("This text is %(length)s characters long; the limit is %(limit)s. Please shorten it "
                         "by %(excess)s character: everything you wrote is still here.",
                         "This text is %(length)s characters long; the limit is %(limit)s. Please shorten it "
                         "by %(excess)s characters: everything you wrote is still here.", excess),
                code="max_length",
                params={"length": _number(length), "limit": _number(self.limit_value),
                        "excess": _number(excess)},
            )


def _limit_text(limit: int) -> str:
    return gettext("At most %(limit)s characters.") % {"limit": _number(limit)}


class MessageField(forms.CharField):
    """A message's text, at most `max_length` characters, the limit said next to the box.

    The textarea has no `maxlength`: a browser silently cuts a longer paste there. Instead a counter
    (static/js/desk.js, from the `data-max-length` attributes) says how much is left or how much too
    much, and the server refuses a longer text with a message, the text kept in the form.
    """

    def __init__(self, *, max_length: int | None = None, rows: int = 6, **kwargs):
        max_length = max_length or settings.MESSAGE_MAX_LENGTH  # one limit for every channel
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        kwargs.setdefault("help_text", lazy(_limit_text, str)(max_length))
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        self.validators.append(MessageLengthValidator(max_length))

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs["data-max-length"] = str(self.max_length)
        attrs["data-count-text"] = _("%(count)s of %(limit)s characters")
        attrs["data-over-text"] = _("%(count)s of %(limit)s characters: too long")
        return attrs
