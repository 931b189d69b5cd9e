"""CSV exports of every report table: the same selectors as the page and the API, so the numbers agree."""

from __future__ import annotations

import csv
import io
import unicodedata

from django.utils.translation import gettext as _

from reports import figures
from reports.figures import ReportFilter
from reports.money import with_currency

TABLES = ("csat", "asat", "nps", "correlation", "burnout", "revenue", "ratings")
RATINGS_EXPORT_LIMIT = 100_000
# What a spreadsheet may run as a formula when a cell starts with it (OWASP "CSV injection").
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV file without a byte order mark in the system's code page ("Ã„rgerlich").
BOM = "\ufeff"


def _cell(value):
    """Numbers as they are (rounded); text that a spreadsheet would run as a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = str(value)
    # Spreadsheets fold fullwidth and small forms (U+FF1D, U+FE62, U+FF20...) into the ASCII sign.
    if unicodedata.normalize("NFKC", text[:1])[:1] in FORMULA_LEADS:
        return "'" + text
    return text


def table(user, f: ReportFilter, name: str, group: str, **options) -> tuple[list[str], list[list]]:
    if name == "csat":
        rows = figures.csat_by_group(user, f, group)
        header = [_("Group"), _("Responses"), _("CSAT %"), _("Delight %"), _("Average stars"), "1", "2", "3", "4",
                  "5", _("Surveys sent"), _("Surveys answered"), _("Response rate %"), _("Below minimum n")]
        body = [[r["label"], r["n"], r["csat"], r["delight_rate"], r["average_stars"], *r["distribution"], r["sent"],
                 r["answered"], r["response_rate"], r["low_n"]] for r in rows]
        return header, body
    if name == "asat":
        group = group if group in figures.ASAT_GROUPINGS else "team"
        rows = figures.asat_by_group(user, f, group)
        header = [_("Group"), _("Pulses"), _("ASAT %"), _("Average pulse")]
        return header, [[r["label"], r["n"], r["asat"], r["average_pulse"]] for r in rows]
    if name == "nps":
        group = group if group in figures.NPS_GROUPINGS else "month"
        rows = figures.nps_by_group(user, f, group)
        header = [_("Group"), _("Responses"), _("Promoters"), _("Passives"), _("Detractors"), _("NPS")]
        return header, [[r["label"], r["n"], r["promoters"], r["passives"], r["detractors"], r["nps"]] for r in rows]
    if name == "correlation":
        unit = options.get("unit", "agent")
        points = figures.correlation_points(user, f, unit)
        labels = figures.group_labels(unit, {p[unit] for p in points})
        header = [_("Agent") if unit == "agent" else _("Team"), _("Week"), _("CSAT %"), _("ASAT %"), _("Ratings"),
                  _("Pulses")]
        body = [[labels.get(p[unit], p[unit]), p["week"], p["csat"], p["asat"], p["n_ratings"], p["n_pulses"]]
                for p in points]
        return header, body
    if name == "burnout":
        rows = figures.burnout_watch(user, f)
        header = [_("Agent"), _("Ratings"), _("1-2 star ratings"), _("1-2 star share %"), _("ASAT before %"),
                  _("ASAT last 4 weeks %"), _("Escalated tickets"), _("Escalated share %")]
        # With too few surveyed tickets the escalated share stays empty: not known, not 0.
        return header, [[r["label"], r["n"], r["low"], r["low_share"], r["asat_earlier"], r["asat_recent"],
                         r["escalated"], "" if r["escalated_share"] is None else r["escalated_share"]]
                        for r in rows]
    if name == "revenue":
        rows = figures.revenue_at_risk_by_company(user, f, limit=10_000)
        header = [_("Customer company"), _("Customers"), with_currency(_("Monthly revenue")), _("Responses"),
                  _("CSAT %"), with_currency(_("Revenue at risk per month")), with_currency(_("Per CSAT point"))]
        return header, [[r["company"], r["customers"], r["monthly_revenue"], r["n"], r["csat"], r["revenue_at_risk"],
                         r["per_point"]] for r in rows]
    if name == "ratings":
        qs = figures.ratings_list(user, f, stars_min=options.get("stars_min"), stars_max=options.get("stars_max"))
        header = [_("Rated"), _("Stars"), _("Ticket"), _("Agent"), _("Queue"), _("Customer company"),
                  _("Follow-up answer"), _("Comment")]
        body = [
            [r.created_at.isoformat(), r.stars, r.ticket.reference or r.ticket_id,
             (r.agent.get_full_name() or r.agent.get_username()) if r.agent else "", r.queue.name if r.queue else "",
             r.company, r.follow_up, r.comment]
            for r in qs[:RATINGS_EXPORT_LIMIT]
        ]
        return header, body
    raise KeyError(name)


def render(header: list[str], body: list[list]) -> str:
    """The CSV text, starting with a UTF-8 byte order mark."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    for row in body:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
