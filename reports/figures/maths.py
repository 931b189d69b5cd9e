"""Pure statistics and money for the reports (D3-D5): no database, no Django models.

The database hands over sums (n, Σx, Σy, Σx², Σy², Σxy) computed by one aggregate query; everything
here turns those sums into figures a supervisor can read. SciPy is a test-only dependency: the
t-distribution's tail comes from the regularized incomplete beta function below, and the tests
compare it with `scipy.stats.pearsonr` / `spearmanr`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

# Below this many pairs a coefficient is not printed at all: "not enough data".
MIN_CORRELATION_N = 10
Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution

CENT = Decimal("0.01")


# --- Rates -------------------------------------------------------------------------------------


def percentage(part: int | None, whole: int | None) -> float | None:
    """part / whole x 100, or None when there is nothing to divide by (never a ZeroDivisionError)."""
    if not whole:
        return None
    return 100.0 * (part or 0) / whole


def csat(satisfied: int | None, total: int | None) -> float | None:
    """CSAT = ratings of 4-5 / all ratings x 100 (D3: 82 satisfied of 100 = 82%)."""
    return percentage(satisfied, total)


def nps(promoters: int | None, detractors: int | None, total: int | None) -> float | None:
    """Net promoter score: % promoters (9-10) minus % detractors (0-6), from -100 to 100."""
    if not total:
        return None
    return 100.0 * ((promoters or 0) - (detractors or 0)) / total


# --- Correlation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sums:
    """The sufficient statistics of a set of (x, y) pairs, as one SQL aggregate returns them."""

    n: int
    sx: float
    sy: float
    sxx: float
    syy: float
    sxy: float

    @classmethod
    def of(cls, pairs) -> Sums:
        """The same sums computed in Python: used by tests and the what-if, never for stored rows."""
        pairs = list(pairs)
        return cls(
            n=len(pairs),
            sx=math.fsum(p[0] for p in pairs),
            sy=math.fsum(p[1] for p in pairs),
            sxx=math.fsum(p[0] * p[0] for p in pairs),
            syy=math.fsum(p[1] * p[1] for p in pairs),
            sxy=math.fsum(x * y for x, y in pairs),
        )

    @classmethod
    def from_row(cls, row) -> Sums:
        n, sx, sy, sxx, syy, sxy = row
        return cls(int(n or 0), float(sx or 0), float(sy or 0), float(sxx or 0), float(syy or 0), float(sxy or 0))


def pearson_from_sums(s: Sums) -> float | None:
    """Pearson's r = (nΣxy - ΣxΣy) / sqrt((nΣx² - (Σx)²)(nΣy² - (Σy)²)); None if undefined.

    Undefined when n < 2 or when either variable is constant (zero variance).
    """
    if s.n < 2:
        return None
    cov = s.n * s.sxy - s.sx * s.sy
    var_x = s.n * s.sxx - s.sx * s.sx
    var_y = s.n * s.syy - s.sy * s.sy
    # Relative tolerance: the sums of large samples carry rounding noise of their own magnitude.
    if var_x <= 1e-12 * max(1.0, s.n * s.sxx) or var_y <= 1e-12 * max(1.0, s.n * s.syy):
        return None
    r = cov / math.sqrt(var_x * var_y)
    return max(-1.0, min(1.0, r))


def average_ranks(values) -> list[float]:
    """Ranks 1..n with ties sharing their average rank (what the SQL window functions compute)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(pairs) -> float | None:
    """Spearman's rho in Python (Pearson on average ranks): the reference for the SQL version."""
    pairs = list(pairs)
    rx = average_ranks([p[0] for p in pairs])
    ry = average_ranks([p[1] for p in pairs])
    return pearson_from_sums(Sums.of(zip(rx, ry, strict=True)))


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of Student's t with df degrees of freedom: I_{df/(df+t²)}(df/2, 1/2)."""
    if math.isinf(t):
        return 0.0
    return min(1.0, max(0.0, regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))))


def correlation_p_value(r: float, n: int) -> float | None:
    """p-value of H0: no correlation, from t = r·sqrt((n-2)/(1-r²)) with n-2 degrees of freedom."""
    if r is None or n < 3:
        return None
    if abs(r) >= 1.0:
        return 0.0
    t = r * math.sqrt((n - 2) / (1.0 - r * r))
    return t_two_sided_p(t, n - 2)


def fisher_interval(r: float, n: int, z_crit: float = Z_95) -> tuple[float, float] | None:
    """The 95% confidence interval of r by Fisher's transform: tanh(atanh(r) ± 1.96/sqrt(n-3))."""
    if r is None or n <= 3:
        return None
    if abs(r) >= 1.0:
        return (r, r)
    z = math.atanh(r)
    half = z_crit / math.sqrt(n - 3)
    return (math.tanh(z - half), math.tanh(z + half))


def strength_label(r: float) -> str:
    """Words for |r| (Cohen's conventions, with 'very strong' above 0.7)."""
    size = abs(r)
    if size < 0.1:
        return _("no meaningful")
    if size < 0.3:
        return _("weak")
    if size < 0.5:
        return _("moderate")
    if size < 0.7:
        return _("strong")
    return _("very strong")


@dataclass(frozen=True)
class Correlation:
    n: int
    r: float | None
    low: float | None
    high: float | None
    p_value: float | None
    enough: bool

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "r": _round(self.r),
            "ci_low": _round(self.low),
            "ci_high": _round(self.high),
            "p_value": _round(self.p_value, 6),
            "enough_data": self.enough,
        }


def _round(value, digits: int = 4):
    return None if value is None else round(value, digits)


def correlation_from_sums(s: Sums, min_n: int = MIN_CORRELATION_N) -> Correlation:
    """Coefficient, 95% interval and p-value; below `min_n` pairs no number at all."""
    if s.n < min_n:
        return Correlation(n=s.n, r=None, low=None, high=None, p_value=None, enough=False)
    r = pearson_from_sums(s)
    if r is None:
        return Correlation(n=s.n, r=None, low=None, high=None, p_value=None, enough=True)
    interval = fisher_interval(r, s.n)
    return Correlation(
        n=s.n,
        r=r,
        low=interval[0] if interval else None,
        high=interval[1] if interval else None,
        p_value=correlation_p_value(r, s.n),
        enough=True,
    )


def plain_reading(c: Correlation, what: str | None = None) -> str:
    """A sentence a manager can read: 'moderate positive correlation, n=48, 95% CI 0.21 to 0.63'."""
    what = what or _("customer and agent satisfaction")
    if not c.enough:
        return _("Not enough data: %(n)d pairs, at least %(min)d are needed before a coefficient means anything.") % {
            "n": c.n,
            "min": MIN_CORRELATION_N,
        }
    if c.r is None:
        return _("No correlation can be computed: one of the two figures does not vary (n=%(n)d).") % {"n": c.n}
    direction = _("positive") if c.r > 0 else _("negative")
    strength = strength_label(c.r)
    if abs(c.r) < 0.1:
        head = _("%(strength)s correlation between %(what)s") % {"strength": strength, "what": what}
    else:
        head = _("%(strength)s %(direction)s correlation between %(what)s") % {
            "strength": strength,
            "direction": direction,
            "what": what,
        }
    parts = [head[:1].upper() + head[1:], f"n={c.n}"]
    if c.low is not None:
        parts.append(_("95%% CI %(low).2f to %(high).2f") % {"low": c.low, "high": c.high})
    sentence = ", ".join(parts) + "."
    if c.p_value is not None:
        if c.p_value < 0.05:
            sentence += " " + _("Unlikely to be chance (p=%(p).3f); a correlation is not proof of cause.") % {
                "p": c.p_value
            }
        else:
            sentence += " " + _("Could well be chance (p=%(p).3f): not statistically significant.") % {"p": c.p_value}
    return sentence


# --- Money (D4) -----------------------------------------------------------------------------------


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def revenue_at_risk(*, monthly_revenue, csat_percent, churn_probability) -> Decimal:
    """D4: customers x monthly spend x (1 - CSAT) x churn probability, in money, to the cent.

    `monthly_revenue` is customers x monthly spend (or the sum of the customers' real spend);
    `csat_percent` is 0-100. 100 customers x $100 at 90% CSAT and 0.95 churn = $950.
    """
    revenue = _decimal(monthly_revenue)
    unhappy = (Decimal(100) - _decimal(csat_percent)) / Decimal(100)
    return (revenue * unhappy * _decimal(churn_probability)).quantize(CENT, rounding=ROUND_HALF_UP)


def revenue_per_csat_point(*, monthly_revenue, churn_probability) -> Decimal:
    """What one percentage point of CSAT is worth: revenue x 1% x churn (D4: $95)."""
    return (_decimal(monthly_revenue) * _decimal(churn_probability) / Decimal(100)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
