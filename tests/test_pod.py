"""Hit/miss POD fits (MIL-HDBK-1823A): a known curve recovered, and the cases where no fit exists."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from radar_desktop.core.pod import LOGIT90, PodFit, fit_pod, pod_curve

B0, B1 = -6.0, 3.0  # logit POD = b0 + b1 log a: a50 = 7.4 px, a90 = 15.4 px
TRUE_A90 = math.exp((LOGIT90 - B0) / B1)


def _simulate(rng: np.random.Generator, sizes: np.ndarray) -> np.ndarray:
    return rng.random(sizes.size) < 1 / (1 + np.exp(-(B0 + B1 * np.log(sizes))))


def test_a_known_logistic_curve_is_recovered():
    rng = np.random.default_rng(3)
    sizes = np.exp(rng.uniform(0.0, math.log(40.0), 2000))
    fit = fit_pod(sizes, _simulate(rng, sizes))
    assert fit.status == "fitted"
    assert fit.a90 == pytest.approx(TRUE_A90, rel=0.10)
    assert fit.a50 == pytest.approx(math.exp(-B0 / B1), rel=0.10)
    assert fit.a90 < fit.a90_95 < 1.3 * fit.a90
    pod, lower = pod_curve(fit, [fit.a90, fit.a90_95])
    assert pod[0] == pytest.approx(0.9) and lower[1] == pytest.approx(0.9)
    assert np.all(lower <= pod)
    assert "a90 " in fit.summary() and "mm" in fit.summary(mm_per_pixel=0.05)


def test_the_covariance_is_the_inverse_fisher_information():
    rng = np.random.default_rng(4)
    sizes = np.repeat(np.geomspace(2, 40, 10), 30)
    fit = fit_pod(sizes, _simulate(rng, sizes))
    x = np.column_stack([np.ones(sizes.size), np.log(sizes)])
    p = 1 / (1 + np.exp(-(x @ [fit.intercept, fit.slope])))
    expected = np.linalg.inv(x.T @ (x * (p * (1 - p))[:, None]))
    assert np.allclose(fit.covariance, expected, rtol=1e-6)


def test_a90_95_covers_the_true_a90_about_95_percent_of_the_time():
    rng = np.random.default_rng(5)
    sizes = np.repeat(np.geomspace(2, 40, 10), 8)  # the self-test's design: 80 samples per shape
    fits = [fit_pod(sizes, _simulate(rng, sizes)) for _ in range(100)]
    covered = [f.a90_95 >= TRUE_A90 for f in fits if f.status == "fitted" and f.a90_95 is not None]
    assert len(covered) >= 90 and 0.85 <= np.mean(covered) <= 1.0


def test_perfect_separation_reports_a_bracket_and_no_confidence_bound():
    fit = fit_pod([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1])
    assert fit.status == "separated" and fit.a90 == 4 and fit.a90_is_bound
    assert fit.a50 is None and fit.a90_95 is None and fit.missed_up_to == 3
    assert fit.cells()["a90"] == "<= 4 px"
    assert np.isnan(pod_curve(fit, [2.0, 5.0])[0]).all()


def test_found_only_at_the_largest_size_is_no_bound():
    fit = fit_pod([1, 2, 3, 3, 3], [0, 0, 0, 1, 0])  # separated, but only by ties at the largest size
    assert fit.status == "separated" and fit.a90 is None and not fit.a90_is_bound
    assert fit.cells()["a90"] == "> 3 px" and "a90 above it" in fit.summary()


def test_a_far_extrapolation_is_shown_as_a_bound():
    sizes = np.repeat([1.0, 2.0, 4.0, 8.0], 20)
    hits = np.zeros(sizes.size, bool)
    hits[[30, 70]] = True  # one found at 2 px and one at 8 px: a nearly flat curve
    fit = fit_pod(sizes, hits)
    assert fit.status == "fitted" and fit.a90 > 800
    assert fit.cells()["a90"] == "> 800 px*"


def test_all_found_none_found_and_a_falling_curve_do_not_crash():
    every = fit_pod([1, 2, 3], [1, 1, 1])
    assert every.status == "all found" and every.a90 == 1 and every.a90_95 is None
    nothing = fit_pod([1, 2, 3], [0, 0, 0])
    assert nothing.status == "none found" and nothing.a90 is None and nothing.cells()["a90"] == "> 3 px"
    falling = fit_pod([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 0, 0])
    assert falling.status == "not estimable" and falling.a90 is None
    assert "not estimable" in falling.summary()


def test_a_fit_survives_json():
    rng = np.random.default_rng(6)
    sizes = np.repeat(np.geomspace(2, 40, 10), 8)
    fit = fit_pod(sizes, _simulate(rng, sizes))
    assert PodFit.from_dict(json.loads(json.dumps(fit.to_dict()))) == fit


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        fit_pod([], [])
    with pytest.raises(ValueError):
        fit_pod([0.0, 1.0], [0, 1])
