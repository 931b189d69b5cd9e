"""Forms of the survey page, the NPS page and the agent pulse. Validation here, writes in services."""

from collections.abc import Iterator

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feedback.models import STAR_LABELS

FOLLOW_UP_GOOD = _("What did we do right?")
FOLLOW_UP_BAD = _("Where did we go wrong?")
FOLLOW_UP_ANY = _("What did we do right, or where did we go wrong?")
FOLLOW_UP_QUESTIONS = {"good": FOLLOW_UP_GOOD, "bad": FOLLOW_UP_BAD, "any": FOLLOW_UP_ANY}
# Lazy: rendered in the language active when the page is drawn, not the one active at import.
STAR_CHOICES = [(n, format_lazy("{} ★ {}", n, STAR_LABELS[n])) for n in (5, 4, 3, 2, 1)]


def follow_up_side(stars) -> str:
    """Which D3 probing question a rating asks: "good" (4-5), "bad" (1-3), or "any" (no rating yet)."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        return "any"
    if 4 <= stars <= 5:
        return "good"
    if 1 <= stars <= 3:
        return "bad"
    return "any"


def follow_up_question(stars) -> str:
    """The D3 probing question that follows the rating."""
    return FOLLOW_UP_QUESTIONS[follow_up_side(stars)]


def moved_answer_message(*, written_for: str, now_for: str) -> str:
    return gettext(
        "This answer was written for “%(question)s”. Your new rating asks “%(new_question)s”: "
        "change your answer if it no longer fits, or send it again as it is."
    ) % {"question": FOLLOW_UP_QUESTIONS[written_for], "new_question": FOLLOW_UP_QUESTIONS[now_for]}


class RatingForm(forms.Form):
    """The survey. `follow_up_for` names the question the follow-up answer was written under (the page
    shows one question at a time, chosen by the stars): an answer written for "Where did we go wrong?"
    is never filed silently under "What did we do right?" because the stars changed."""

    stars = forms.TypedChoiceField(
        label=_("How would you rate the help you received?"),
        choices=STAR_CHOICES,
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
    follow_up_for = forms.ChoiceField(
        choices=[(side, side) for side in FOLLOW_UP_QUESTIONS], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, stars=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.data.get("stars") if self.is_bound else stars
        self.fields["follow_up"].label = follow_up_question(current)
        self.fields["follow_up_for"].initial = follow_up_side(current)

    def clean(self):
        cleaned = super().clean()
        stars, answer = cleaned.get("stars"), cleaned.get("follow_up")
        written_for, now_for = cleaned.get("follow_up_for") or "any", follow_up_side(stars)
        if stars and answer and "any" not in (written_for, now_for) and written_for != now_for:
            self.add_error("follow_up", moved_answer_message(written_for=written_for, now_for=now_for))
            # Shown again under the new question: sending it as it is now files it there.
            self.data = self.data.copy()
            self.data["follow_up_for"] = now_for
        return cleaned

    def star_options(self) -> Iterator[tuple]:
        """(radio, filled stars, empty stars) per choice, for the survey page's big star buttons."""
        for radio in self["stars"]:
            stars = int(radio.data["value"])
            yield radio, "★" * stars, "☆" * (5 - stars)

    def error_links(self) -> list[tuple[str, str]]:
        """(id of the control to jump to, message) for the error summary, in the order of the page."""
        links = [("", str(error)) for error in self.non_field_errors()]
        for name in ("stars", "follow_up", "comment"):
            anchor = f"{self[name].auto_id}_0" if name == "stars" else self[name].auto_id
            links += [(anchor, str(error)) for error in self.errors.get(name, [])]
        return links


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
