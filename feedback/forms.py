"""Forms of the survey page, the NPS page and the agent pulse. Validation here, writes in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import STAR_LABELS

FOLLOW_UP_GOOD = _("What did we do right?")
FOLLOW_UP_BAD = _("Where did we go wrong?")
FOLLOW_UP_ANY = _("What did we do right, or where did we go wrong?")


def follow_up_question(stars) -> str:
    """The D3 probing question that follows the rating."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        return FOLLOW_UP_ANY
    if 4 <= stars <= 5:
        return FOLLOW_UP_GOOD
    if 1 <= stars <= 3:
        return FOLLOW_UP_BAD
    return FOLLOW_UP_ANY


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How would you rate the help you received?"),
        choices=[(n, f"{n} ★ {STAR_LABELS[n]}") for n in (5, 4, 3, 2, 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a rating from 1 to 5 stars.")},
    )
    follow_up = forms.CharField(
        label=FOLLOW_UP_ANY, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    comment = forms.CharField(
        label=_("Anything else you would like to tell us? (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, stars=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.data.get("stars") if self.is_bound else stars
        self.fields["follow_up"].label = follow_up_question(current)


class NpsForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to friends and family?"),
        help_text=_("0 = not at all likely, 10 = extremely likely"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "nps-scale"}),
        error_messages={"required": _("Please choose a score from 0 to 10.")},
    )
    if_unavailable = forms.CharField(
        label=_("How would you feel if we were not available tomorrow?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    one_thing = forms.CharField(
        label=_("What one thing could we do to make you happier?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


PULSE_CHOICES = [
    (1, _("1 · Awful")),
    (2, _("2 · Hard")),
    (3, _("3 · OK")),
    (4, _("4 · Good")),
    (5, _("5 · Great")),
]


class PulseForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How did working this ticket feel?"),
        choices=PULSE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose from 1 to 5.")},
    )
    note = forms.CharField(
        label=_("Note (optional, only you see it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WeeklyPulseForm(PulseForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].label = _("How was your week?")
