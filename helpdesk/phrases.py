"""Sentences the desk composes, stored as a code and its parameters, rendered in the reader's language.

A reason, an explanation or an event that the desk writes into a row ("Customer rated 2 stars. Contact them
at once.", "Routed to Mari (team supervisor) ...") must not be stored as English text: the row is read later
by people with other languages, on pages, in the API and in emails. So the row keeps a *phrase*, a small
JSON value, and the sentence is made when it is shown, in the language active then:

- ``{"code": "escalation.low_rating", "params": {"stars": 2}}``: a sentence of the catalogue; each parameter
  is itself a phrase value (so sentences nest: a routing explanation holds its notes);
- ``"Anna Agent"``: a plain string is literal text, shown as it is (people's names, references, and what
  a person typed: never translated);
- ``["...", {...}]``: a list is its parts in order, joined by a space (sentences one after the other);
- ``{"datetime": "2026-05-04T10:00:00+00:00"}``: a moment, shown in the reader's time zone and date format;
- ``{"decimal": "120.00"}``: an amount, shown with its decimals in the reader's number format ("120,00");
- numbers as they are.

Each app declares its sentences in its own ``phrases.py`` (``register({...})``, code -> a lazy translation,
or a function of the rendered parameters for sentences assembled from others) and imports it in
``AppConfig.ready()``. A code that is not (or no longer) registered renders as its parameters' text rather
than failing: a page must never break on an old row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise

Phrase = Any  # str | int | float | list[Phrase] | {"code": str, "params": {str: Phrase}} | {"datetime": iso}
Entry = Promise | str | Callable[[dict[str, Any]], str]  # a function gets the raw parameters

_CATALOGUE: dict[str, Entry] = {}


def register(entries: Mapping[str, Entry]) -> None:
    """Add an app's sentences: a code to its lazy translation (``gettext_lazy``, or ``ngettext_lazy`` with
    the name of its number parameter), or to a function of the raw parameters that renders them itself
    (for a sentence assembled from a list of others)."""
    _CATALOGUE.update(entries)


def is_registered(code: str) -> bool:
    return code in _CATALOGUE


def phrase(code: str, **params: Phrase) -> dict:
    """A sentence of the catalogue with its parameters (an unknown code is a programming error)."""
    if code not in _CATALOGUE:
        raise KeyError(f"no phrase {code!r} is registered")
    return {"code": code, "params": {name: _storable(value) for name, value in params.items()}}


def moment(value: datetime) -> dict:
    """A point in time as a parameter: shown in the reader's time zone and format."""
    return {"datetime": value.isoformat()}


def _storable(value: Phrase) -> Phrase:
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, tuple):
        return [_storable(v) for v in value]
    if isinstance(value, int | float | str | list | dict) or value is None:
        return value
    return str(value)  # lazy strings of data: as text


def join(*parts: Phrase) -> Phrase:
    """Several phrases one after the other, empty ones left out; one part stays itself."""
    kept = [part for part in parts if part not in (None, "", [], {})]
    if not kept:
        return ""
    return kept[0] if len(kept) == 1 else kept


def render(value: Phrase) -> str:
    """The phrase as a sentence in the active language (and time zone)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return formats.number_format(value)
    if isinstance(value, list):
        return " ".join(text for text in (render(part) for part in value) if text)
    if isinstance(value, dict):
        if "datetime" in value:
            return _render_moment(value["datetime"])
        if "decimal" in value:
            return _render_decimal(value["decimal"])
        if "code" in value:
            return _render_code(value["code"], value.get("params") or {})
    return str(value)


def _render_moment(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    return formats.date_format(when, "DATETIME_FORMAT")


def _render_decimal(text: str) -> str:
    try:
        amount = Decimal(text)
    except (TypeError, ValueError, ArithmeticError):
        return str(text)
    places = max(0, -amount.as_tuple().exponent) if amount.is_finite() else 0
    return formats.number_format(amount, decimal_pos=places)


def _render_code(code: str, params: dict) -> str:
    entry = _CATALOGUE.get(code)
    if callable(entry) and not isinstance(entry, Promise):
        return entry(params)
    # Numbers stay numbers for %d and plural choice; everything else is rendered to text first.
    rendered = {name: value if isinstance(value, int | float) and not isinstance(value, bool) else render(value)
                for name, value in params.items()}
    if entry is None:
        return " ".join(str(v) for v in rendered.values() if v not in ("", None))
    try:
        return str(entry % rendered) if rendered else str(entry)
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the English sentence
        from django.utils import translation

        with translation.override(None):
            return str(entry % rendered)
