"""Control charts of inspection scores: limits from calibration, individuals and EWMA charts, run rules.

The centre line and sigma come from the profile's calibration, not from the charted series: a drift chart
asks whether today's parts still score like the good parts the profile was calibrated on, so its limits
must not move with the drift they are there to show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

KINDS = ("individuals", "ewma")
KIND_LABELS = {"individuals": "Individuals", "ewma": "EWMA"}
EWMA_LAMBDA = 0.2
EWMA_L = 3.0
#: Western Electric rules on an individuals chart, in order (columns of ControlChart.flags)
RUN_RULES = ("rule 1", "rule 2", "rule 3", "rule 4")
EWMA_RULES = ("EWMA limit",)
RULE_DESCRIPTIONS = {
    "rule 1": "one point beyond 3σ",
    "rule 2": "2 of 3 in a row beyond 2σ on one side",
    "rule 3": "4 of 5 in a row beyond 1σ on one side",
    "rule 4": "8 in a row on one side of the centre",
    "EWMA limit": "the EWMA beyond its limits",
}


@dataclass(frozen=True)
class ControlLimits:
    """Centre line and sigma of a chart, and how many calibration scores gave them."""

    centre: float
    sigma: float
    n: int


def control_limits(good_scores) -> ControlLimits:
    """Centre = mean and sigma = sample standard deviation of the calibration's held-back good scores.

    The usual individuals chart estimates sigma from the moving range of a time series, which is robust
    to drift within the baseline. The held-back good images are independent good parts scored in no
    particular order, so they have no time order to take ranges over and no drift to be robust to: their
    sample standard deviation is the direct, unbiased estimate.

    Raises ValueError when there are fewer than 2 scores or they do not vary.
    """
    scores = np.asarray(good_scores, dtype=np.float64)
    if scores.size < 2:
        raise ValueError(f"control limits need at least 2 calibration scores of good images, not {scores.size}")
    centre, sigma = float(scores.mean()), float(scores.std(ddof=1))
    if not np.isfinite(sigma) or sigma <= 1e-9 * np.abs(scores).max():  # equal scores leave rounding noise
        raise ValueError("control limits need calibration scores that vary: their standard deviation is 0")
    return ControlLimits(centre, sigma, int(scores.size))


@dataclass(frozen=True)
class ControlChart:
    """A chart of one series: the plotted statistic, its 3-sigma limits per point, and the rule signals.

    ``statistic`` is the scores themselves (individuals) or their EWMA. ``flags[i, j]`` is True where
    rule ``rules[j]`` fires at point ``i``.
    """

    kind: str
    limits: ControlLimits
    statistic: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    rules: tuple[str, ...]
    flags: np.ndarray

    @property
    def signals(self) -> np.ndarray:
        """Indices of the points where any rule fires."""
        return np.flatnonzero(self.flags.any(axis=1))

    def rules_at(self, index: int) -> tuple[str, ...]:
        """The rules that fire at point ``index``."""
        return tuple(rule for rule, fires in zip(self.rules, self.flags[index]) if fires)


def control_chart(scores, limits: ControlLimits, kind: str = "individuals") -> ControlChart:
    """The ``kind`` chart (``individuals`` or ``ewma``) of ``scores`` in time order."""
    values = np.asarray(scores, dtype=np.float64)
    if kind == "individuals":
        lower = np.full(values.shape, limits.centre - 3 * limits.sigma)
        upper = np.full(values.shape, limits.centre + 3 * limits.sigma)
        return ControlChart(kind, limits, values, lower, upper, RUN_RULES, run_rules(values, limits))
    if kind == "ewma":
        statistic = ewma(values, limits.centre)
        half = ewma_half_width(values.size, limits.sigma)
        lower, upper = limits.centre - half, limits.centre + half
        beyond = ((statistic < lower) | (statistic > upper))[:, None]
        return ControlChart(kind, limits, statistic, lower, upper, EWMA_RULES, beyond)
    raise ValueError(f"chart kind must be one of {', '.join(KINDS)}, not {kind!r}")


def run_rules(values: np.ndarray, limits: ControlLimits) -> np.ndarray:
    """(n, 4) flags of the Western Electric rules 1 to 4 on an individuals chart.

    A rule fires at the point that completes its pattern, and only where that point is part of it
    (beyond the zone, on the run's side), so a later in-zone point is not flagged again. Near the
    start the windows hold the points there are: two points beyond 2σ are 2 of 3 whatever comes next.
    """
    z = (np.asarray(values, dtype=np.float64) - limits.centre) / limits.sigma
    rule1 = np.abs(z) > 3

    def either_side(zone: float, needed: int, window: int) -> np.ndarray:
        return _completes(z > zone, needed, window) | _completes(z < -zone, needed, window)

    return np.column_stack([rule1, either_side(2, 2, 3), either_side(1, 4, 5), either_side(0, 8, 8)])


def _completes(hits: np.ndarray, needed: int, window: int) -> np.ndarray:
    """Where a hit makes at least ``needed`` hits among the last ``window`` points (itself included)."""
    if hits.size == 0:
        return hits
    padded = np.concatenate([np.zeros(window - 1, dtype=bool), hits])
    counts = sliding_window_view(padded, window).sum(axis=1)
    return hits & (counts >= needed)


def ewma(values: np.ndarray, start: float, weight: float = EWMA_LAMBDA) -> np.ndarray:
    """z_i = weight * x_i + (1 - weight) * z_(i-1), from z_0 = ``start`` (the centre line)."""
    out = np.empty(len(values), dtype=np.float64)
    z = start
    for i, value in enumerate(values):  # a closed form needs (1 - weight)^-i, which overflows on long series
        z = weight * value + (1 - weight) * z
        out[i] = z
    return out


def ewma_half_width(n: int, sigma: float, weight: float = EWMA_LAMBDA, width: float = EWMA_L) -> np.ndarray:
    """The exact EWMA limits' distance from the centre at points 1..n: narrower at the start, where the
    EWMA still leans on its starting value, widening to ``width * sigma * sqrt(weight / (2 - weight))``."""
    i = np.arange(1, n + 1)
    return width * sigma * np.sqrt(weight / (2 - weight) * (1 - (1 - weight) ** (2 * i)))
