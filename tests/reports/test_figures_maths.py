"""The pure formulas of the reports against hand computations (D3, D4) and SciPy (correlation)."""

import math
import random
from decimal import Decimal

import pytest
from scipy import stats

from reports.figures import maths as mm


def test_csat_of_the_d3_example_is_82_percent():
    assert mm.csat(82, 100) == 82.0


def test_csat_of_no_responses_is_none_not_a_division_error():
    assert mm.csat(0, 0) is None


def test_nps_is_promoters_minus_detractors_in_percent():
    # 10 answers: 5 promoters (9-10), 3 passives, 2 detractors (0-6): 50% - 20% = 30.
    assert mm.nps(5, 2, 10) == pytest.approx(30.0)


def test_nps_of_all_detractors_is_minus_100():
    assert mm.nps(0, 4, 4) == -100.0


def test_revenue_at_risk_of_the_d4_example_at_90_percent_is_950():
    assert mm.revenue_at_risk(monthly_revenue=100 * 100, csat_percent=90, churn_probability="0.95") == Decimal("950.00")


def test_revenue_at_risk_of_the_d4_example_at_75_percent_is_2375():
    assert mm.revenue_at_risk(monthly_revenue=100 * 100, csat_percent=75, churn_probability="0.95") == Decimal(
        "2375.00"
    )


def test_each_csat_point_of_the_d4_example_is_worth_95():
    assert mm.revenue_per_csat_point(monthly_revenue=10000, churn_probability=0.95) == Decimal("95.00")


def test_revenue_at_risk_is_exact_with_a_float_churn_probability():
    # 0.95 as a float is 0.9499999...; going through str keeps the money exact.
    assert mm.revenue_at_risk(monthly_revenue=Decimal("10000"), csat_percent=90.0, churn_probability=0.95) == Decimal(
        "950.00"
    )


def _sums(xs, ys):
    return mm.Sums.of(zip(xs, ys, strict=True))


def test_pearson_of_a_perfect_line_is_one_like_scipy():
    xs = list(range(12))
    ys = [3 * x + 2 for x in xs]
    assert mm.pearson_from_sums(_sums(xs, ys)) == pytest.approx(stats.pearsonr(xs, ys)[0]) == pytest.approx(1.0)


def test_pearson_of_a_falling_line_is_minus_one():
    xs = list(range(12))
    ys = [100 - 2 * x for x in xs]
    assert mm.pearson_from_sums(_sums(xs, ys)) == pytest.approx(-1.0)


def test_pearson_of_unrelated_figures_matches_scipy():
    rng = random.Random(7)
    xs = [rng.uniform(0, 100) for _ in range(200)]
    ys = [rng.uniform(0, 100) for _ in range(200)]
    r, p = stats.pearsonr(xs, ys)
    c = mm.correlation_from_sums(_sums(xs, ys))
    assert c.r == pytest.approx(r, abs=1e-9)
    assert c.p_value == pytest.approx(p, rel=1e-6)
    assert abs(c.r) < 0.2


def test_pearson_and_p_value_of_a_noisy_negative_relation_match_scipy():
    rng = random.Random(3)
    xs = [rng.uniform(0, 100) for _ in range(30)]
    ys = [80 - 0.5 * x + rng.gauss(0, 15) for x in xs]
    r, p = stats.pearsonr(xs, ys)
    c = mm.correlation_from_sums(_sums(xs, ys))
    assert c.r == pytest.approx(r, abs=1e-9)
    assert c.p_value == pytest.approx(p, rel=1e-6)
    assert c.r < 0


@pytest.mark.parametrize("n", [10, 11, 25, 100, 1000])
def test_p_value_matches_scipy_across_sample_sizes(n):
    rng = random.Random(n)
    xs = [rng.gauss(0, 1) for _ in range(n)]
    ys = [0.3 * x + rng.gauss(0, 1) for x in xs]
    r, p = stats.pearsonr(xs, ys)
    assert mm.correlation_p_value(r, n) == pytest.approx(p, rel=1e-6, abs=1e-300)


@pytest.mark.parametrize(("t", "df"), [(0.0, 5), (1.0, 1), (2.5, 8), (-3.2, 40), (12.0, 3), (0.5, 1000)])
def test_t_tail_matches_scipy(t, df):
    assert mm.t_two_sided_p(t, df) == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-9, abs=1e-15)


def test_spearman_with_ties_matches_scipy():
    xs = [1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8]
    ys = [2, 1, 3, 3, 5, 4, 6, 6, 5, 9, 8, 8]
    assert mm.spearman(zip(xs, ys, strict=True)) == pytest.approx(stats.spearmanr(xs, ys)[0], abs=1e-12)


def test_spearman_of_a_monotone_but_curved_relation_is_one():
    xs = list(range(1, 15))
    ys = [math.exp(x) for x in xs]
    assert mm.spearman(zip(xs, ys, strict=True)) == pytest.approx(1.0)
    assert mm.pearson_from_sums(_sums(xs, ys)) < 0.9


def test_average_ranks_share_the_mean_rank_among_ties():
    assert mm.average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]


def test_fisher_interval_matches_a_hand_computation():
    # r = 0.5, n = 28: z = atanh(0.5) = 0.549306; se = 1/5 = 0.2; z ± 0.391993 -> tanh(0.157313), tanh(0.941299).
    low, high = mm.fisher_interval(0.5, 28)
    assert low == pytest.approx(0.156028, abs=1e-5)
    assert high == pytest.approx(0.735818, abs=1e-5)


def test_fisher_interval_contains_r_and_narrows_as_n_grows():
    wide = mm.fisher_interval(0.4, 20)
    narrow = mm.fisher_interval(0.4, 500)
    assert wide[0] < narrow[0] < 0.4 < narrow[1] < wide[1]


def test_below_ten_pairs_no_coefficient_is_given():
    xs = list(range(9))
    c = mm.correlation_from_sums(_sums(xs, xs))
    assert (c.enough, c.r, c.p_value, c.low) == (False, None, None, None)
    assert "Not enough data" in mm.plain_reading(c)


def test_ten_pairs_are_enough_for_a_coefficient():
    xs = list(range(10))
    assert mm.correlation_from_sums(_sums(xs, [x * x for x in xs])).enough


def test_constant_figure_gives_no_coefficient_rather_than_a_division_error():
    c = mm.correlation_from_sums(_sums(list(range(12)), [80] * 12))
    assert c.enough and c.r is None
    assert "does not vary" in mm.plain_reading(c)


def test_plain_reading_states_strength_direction_n_and_interval():
    c = mm.Correlation(n=48, r=0.45, low=0.21, high=0.63, p_value=0.001, enough=True)
    text = mm.plain_reading(c)
    assert text.startswith("Moderate positive correlation")
    assert "n=48" in text
    assert "95% CI 0.21 to 0.63" in text


def test_plain_reading_warns_when_the_result_could_be_chance():
    c = mm.Correlation(n=12, r=-0.2, low=-0.7, high=0.4, p_value=0.53, enough=True)
    text = mm.plain_reading(c)
    assert text.startswith("Weak negative correlation")
    assert "not statistically significant" in text
