"""Template filters of the reports: amounts of money (revenue at risk) in the desk's currency."""

from django import template

from reports.money import currency as desk_currency
from reports.money import money as format_money

register = template.Library()


@register.filter
def money(amount) -> str:
    """{{ revenue.revenue_at_risk|money }}: "€2,375.00" in English, "2375,00 €" in Estonian."""
    return format_money(amount)


@register.simple_tag
def currency() -> str:
    return desk_currency()
