"""Amounts of money in the reports (revenue at risk, D4), written the reader's way.

The amounts are the customers' monthly spend and what follows from it, in one currency for the whole
desk: `REVENUE_CURRENCY` (an ISO code, EUR by default). An amount is written with the active
language's digits (Django's number formats: separators and grouping) and the currency where that
language puts it, by a translated pattern ("€1,234.50" in English, "1234,50 €" in Estonian, "€ 1.234,50"
in Dutch); no locale library needed for five languages. The spaces are non-breaking: an amount never
breaks across two lines.
"""

from decimal import Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import pgettext

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩", "ILS": "₪",
           "UAH": "₴", "PLN": "zł", "TRY": "₺", "NGN": "₦", "PHP": "₱", "VND": "₫"}
NBSP = "\xa0"


def currency() -> str:
    """The desk's currency, an ISO 4217 code."""
    return (getattr(settings, "REVENUE_CURRENCY", "") or "EUR").strip().upper()


def money(amount: Decimal | float | int | None, *, decimals: int = 2) -> str:
    """`amount` in the desk's currency, written the active language's way (a dash for no amount)."""
    if amount is None or amount == "":
        return "\u2013"
    code = currency()
    symbol = SYMBOLS.get(code, code)
    digits = formats.number_format(amount, decimals, use_l10n=True, force_grouping=True)
    # Translators: where the currency goes around an amount in your language, for example
    # "%(amount)s %(currency)s" for "1 234,50 €". Keep both placeholders; a space becomes non-breaking.
    pattern = pgettext("amount of money", "%(currency)s%(amount)s")
    if symbol == code:  # a code, not a sign: never glued to the digits ("SEK 100", not "SEK100")
        pattern = pattern.replace("%(currency)s%(amount)s", "%(currency)s %(amount)s").replace(
            "%(amount)s%(currency)s", "%(amount)s %(currency)s")
    return (pattern % {"currency": symbol, "amount": digits}).replace(" ", NBSP)


def with_currency(label: str) -> str:
    """A column or axis label followed by the currency's code: "Revenue at risk per month (EUR)"."""
    return f"{label} ({currency()})"
