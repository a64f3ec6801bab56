"""Control charts: limits from calibration, each run rule where its pattern completes and nowhere else, EWMA limits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from radar_desktop.core.control_chart import (
    EWMA_RULES,
    RUN_RULES,
    ControlLimits,
    control_chart,
    control_limits,
    ewma_half_width,
    run_rules,
)

UNIT = ControlLimits(centre=0.0, sigma=1.0, n=30)


def _quiet(n: int) -> np.ndarray:
    """In-control points that break no rule: ±0.5σ, alternating sides, so no run forms."""
    return np.where(np.arange(n) % 2 == 0, 0.5, -0.5)


def _fired(values: np.ndarray) -> dict[str, list[int]]:
    flags = run_rules(values, UNIT)
    return {rule: np.flatnonzero(flags[:, j]).tolist() for j, rule in enumerate(RUN_RULES)}


def test_limits_are_the_mean_and_sample_sd_of_the_calibration_scores():
    limits = control_limits([1.0, 2.0, 3.0, 4.0])
    assert (limits.centre, limits.n) == (2.5, 4)
    assert limits.sigma == pytest.approx(math.sqrt(5 / 3))  # n - 1 in the denominator


@pytest.mark.parametrize("scores, reason", [([0.3], "at least 2"), ([], "at least 2"), ([0.2, 0.2, 0.2], "vary")])
def test_limits_refuse_too_few_or_constant_scores(scores, reason):
    with pytest.raises(ValueError, match=reason):
        control_limits(scores)


def test_quiet_series_signals_nothing():
    assert _fired(_quiet(60)) == {rule: [] for rule in RUN_RULES}


def test_rule_1_one_point_beyond_three_sigma_on_either_side():
    values = _quiet(30)
    values[10], values[20] = 3.5, -3.2
    values[25] = 2.9  # inside
    assert _fired(values) == {"rule 1": [10, 20], "rule 2": [], "rule 3": [], "rule 4": []}


def test_rule_2_two_of_three_beyond_two_sigma_on_one_side():
    values = _quiet(30)
    values[5], values[7] = 2.5, 2.2  # 2 of 3, with an in-zone point between: fires at the second
    values[15], values[16] = -2.5, 2.5  # opposite sides: no run
    values[22], values[25] = -2.4, -2.1  # 4 apart: not within 3
    assert _fired(values) == {"rule 1": [], "rule 2": [7], "rule 3": [], "rule 4": []}


def test_rule_2_at_the_start_counts_the_points_there_are():
    values = _quiet(10)
    values[0], values[1] = -2.5, -2.5
    assert _fired(values)["rule 2"] == [1]


def test_rule_3_four_of_five_beyond_one_sigma_on_one_side():
    values = _quiet(50)
    values[30:33], values[33], values[34] = 1.5, -0.5, 1.5  # the 4th of 5 at 34
    values[40:43] = -1.5  # only 3
    assert _fired(values) == {"rule 1": [], "rule 2": [], "rule 3": [34], "rule 4": []}


def test_rule_4_eight_in_a_row_on_one_side_fires_from_the_eighth_on():
    values = _quiet(60)
    values[10:18], values[18] = 0.3, -0.5  # exactly 8
    values[29], values[30:40] = 0.5, -0.3  # 10: fires at the 8th, 9th and 10th
    values[50:57] = 0.3  # 7
    assert _fired(values) == {"rule 1": [], "rule 2": [], "rule 3": [], "rule 4": [17, 37, 38, 39]}


def test_a_point_on_the_centre_line_breaks_a_run():
    values = np.full(13, 0.3)
    values[4] = 0.0
    assert _fired(values)["rule 4"] == [12]  # 0..3 is 4 in a row, 5..12 is 8


def test_individuals_chart_has_three_sigma_limits_and_names_the_rules_per_point():
    limits = ControlLimits(centre=1.0, sigma=0.5, n=20)
    values = 1.0 + 0.5 * _quiet(20)
    values[12] = 3.0  # 4σ
    chart = control_chart(values, limits, "individuals")
    assert chart.rules == RUN_RULES and chart.flags.shape == (20, 4)
    np.testing.assert_array_equal(chart.statistic, values)
    assert set(chart.lower) == {-0.5} and set(chart.upper) == {2.5}
    assert chart.signals.tolist() == [12] and chart.rules_at(12) == ("rule 1",)


def test_ewma_statistic_and_exact_limits_follow_the_hand_formula():
    limits = ControlLimits(centre=0.0, sigma=1.0, n=20)
    chart = control_chart([1.0, 2.0, 0.0], limits, "ewma")
    np.testing.assert_allclose(chart.statistic, [0.2, 0.56, 0.448])  # z_i = 0.2 x_i + 0.8 z_(i-1), z_0 = 0
    # 3 sqrt(0.2 / 1.8 * (1 - 0.8^(2i))): 0.6 at i = 1, widening towards 3 sqrt(1/9) = 1
    np.testing.assert_allclose(chart.upper, [0.6, 3 * math.sqrt(0.2 / 1.8 * (1 - 0.8**4)), 3 * math.sqrt(0.2 / 1.8 * (1 - 0.8**6))])
    np.testing.assert_allclose(chart.lower, -chart.upper)
    assert ewma_half_width(500, 1.0)[-1] == pytest.approx(1.0)
    assert chart.rules == EWMA_RULES and chart.signals.size == 0


def test_ewma_signals_where_its_statistic_leaves_the_time_varying_limits():
    limits = ControlLimits(centre=0.0, sigma=1.0, n=20)
    first = control_chart([3.5, 0.0, 0.0], limits, "ewma")  # 0.7: outside 0.6 at i = 1, inside the later 1.0
    assert first.signals.tolist() == [0] and first.rules_at(0) == ("EWMA limit",)
    shifted = np.concatenate([_quiet(20), np.full(20, 1.2)])  # a sustained 1.2σ shift, inside 3σ throughout
    chart = control_chart(shifted, limits, "ewma")
    outside = np.flatnonzero((chart.statistic > chart.upper) | (chart.statistic < chart.lower))
    assert chart.signals.tolist() == outside.tolist() and outside[0] > 20
    assert control_chart(shifted, limits, "individuals").flags[:, 0].sum() == 0  # rule 1 misses it


def test_an_empty_series_and_an_unknown_kind():
    assert control_chart([], UNIT).flags.shape == (0, 4)
    with pytest.raises(ValueError, match="individuals, ewma"):
        control_chart([1.0], UNIT, "cusum")
