"""Thresholds calibrated from the scores of held-back good images only."""

from __future__ import annotations

import numpy as np

from radar_desktop.core.verdict import Thresholds

#: Default target false-reject rates on good parts for the NOK and REVIEW thresholds.
NOK_FALSE_REJECT_RATE = 0.01
REVIEW_FALSE_REJECT_RATE = 0.05


def threshold_for_false_reject_rate(good_scores: np.ndarray, rate: float) -> float:
    """Smallest observed good score that at most ``rate`` of good scores exceed.

    With few scores this is the largest one: a threshold cannot promise a rate finer than 1/n.
    """
    scores = np.sort(np.asarray(good_scores, dtype=np.float64))
    if scores.size == 0:
        raise ValueError("calibration needs at least one good-image score")
    index = int(np.ceil((1.0 - rate) * scores.size)) - 1
    return float(scores[min(max(index, 0), scores.size - 1)])


def normal_tail_threshold(good_scores: np.ndarray, rate: float, confidence: float = 0.95) -> float:
    """A one-sided normal tolerance bound: with ``confidence``, at most ``rate`` of good parts score above it
    (if good scores are normal). For scores that are z-scores against good images already.

    With ~150 held-back images the empirical 1% cut is the second-highest score and moves by about a
    standard deviation between resamples; this bound moves by a fifth of that, and its confidence
    margin keeps it from sitting lower than the data support (measured on MTD, docs/METHOD_NOTES.md).
    """
    from scipy.stats import nct, norm

    scores = np.asarray(good_scores, dtype=np.float64)
    n = scores.size
    if n < 3:
        return threshold_for_false_reject_rate(scores, rate)
    k = nct.ppf(confidence, df=n - 1, nc=norm.ppf(1.0 - rate) * np.sqrt(n)) / np.sqrt(n)
    return float(scores.mean() + k * scores.std(ddof=1))


def covering_threshold(good_scores: np.ndarray, rate: float) -> float:
    """The higher of the normal tolerance bound and the empirical cut: the bound's stability run to run, and
    never more held-back good scores above it than ``rate``. Good scores' tails are often heavier than a
    normal's (ELPV's skew right): there the bound alone let 5 % of unseen good parts above a 1 % line, the
    empirical cut 2.5 % (docs/METHOD_NOTES.md)."""
    return max(normal_tail_threshold(good_scores, rate), threshold_for_false_reject_rate(good_scores, rate))


TAILS = {"empirical": threshold_for_false_reject_rate, "normal": normal_tail_threshold, "covering": covering_threshold}


def calibrate_thresholds(
    good_scores: np.ndarray,
    nok_rate: float = NOK_FALSE_REJECT_RATE,
    review_rate: float = REVIEW_FALSE_REJECT_RATE,
    tail: str = "empirical",
) -> Thresholds:
    """OK/REVIEW/NOK thresholds from held-back good scores and target false-reject rates, read off the
    scores themselves (``empirical``), off a normal fit to them (``normal``) or the higher of both (``covering``)."""
    cut = TAILS[tail]
    nok = cut(good_scores, nok_rate)
    review = min(cut(good_scores, review_rate), nok)
    return Thresholds(review=review, nok=nok)


def false_reject_rate(good_scores: np.ndarray, threshold: float) -> float:
    """Fraction of good scores above ``threshold``: the good parts that verdict would reject."""
    scores = np.asarray(good_scores, dtype=np.float64)
    return float(np.mean(scores > threshold)) if scores.size else float("nan")


def false_reject_upper_bound(rejected: int, total: int, confidence: float = 0.95) -> float:
    """One-sided Clopper-Pearson upper bound on the true false-reject rate after ``rejected`` of
    ``total`` good parts were rejected: with few held-back images, 0 of 20 still allows up to 14 %."""
    from scipy.stats import beta

    if total <= 0:
        return 1.0
    if rejected >= total:
        return 1.0
    return float(beta.ppf(confidence, rejected + 1, total - rejected))
