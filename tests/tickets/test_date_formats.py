"""Every language of the desk has a full, consistent set of date formats: one order of day and month and
one clock in all of them, its own (not Django's US defaults, which is what Estonian fell back to)."""

import datetime as dt
import re

import pytest
from django.conf import global_settings, settings
from django.utils import formats, translation

MOMENT = dt.datetime(2026, 1, 15, 14, 5)  # the 15th of January, five past two in the afternoon
FORMATS = ("DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT")
TIMES = ("TIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT")
LANGUAGES = [code for code, _ in settings.LANGUAGES]
TWELVE_HOUR = set("aAgPh")  # Django's 12-hour clock format characters
DAY, MONTH = set("djS"), set("bEFmMnN")


def _format(name: str, language: str) -> str:
    with translation.override(language):
        return formats.get_format(name, lang=language)


def _day_first(fmt: str) -> bool:
    plain = re.sub(r"\\.", "", fmt)  # escaped characters are literal text
    return min(plain.index(c) for c in DAY if c in plain) < min(plain.index(c) for c in MONTH if c in plain)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])  # the defaults are English
@pytest.mark.parametrize("name", [*FORMATS, "TIME_FORMAT"])
def test_each_language_has_its_own_format(language, name):
    assert _format(name, language) != getattr(global_settings, name), f"{language} falls back to {name}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_puts_day_and_month_in_one_order(language):
    orders = {name: _day_first(_format(name, language)) for name in FORMATS}
    assert len(set(orders.values())) == 1, orders


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_uses_one_clock(language):
    clocks = {name: bool(TWELVE_HOUR & set(re.sub(r"\\.", "", _format(name, language)))) for name in TIMES}
    assert len(set(clocks.values())) == 1, clocks


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_european_languages_write_the_day_first_and_a_24_hour_clock(language):
    with translation.override(language):
        text = formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT")
    assert text.index("15") < text.index("1", text.index("15") + 2), text
    assert "14" in text and not re.search(r"[ap]\.?m|e\.l|p\.l", text, re.I), text


def test_estonian_date_and_time_read_as_estonian():
    with translation.override("et"):
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "15.01.2026 14:05"
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "15. jaanuar 2026 14:05"
        assert formats.number_format(20000, force_grouping=True) == "20\xa0000"


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_are_grouped_in_thousands(language):
    with translation.override(language):
        assert formats.number_format(20000, force_grouping=True) != "20000"
