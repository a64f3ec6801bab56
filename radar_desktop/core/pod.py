"""Probability of detection (POD) from hit/miss data, as MIL-HDBK-1823A fits it.

The model is ``logit POD(a) = b0 + b1 log a`` fitted by maximum likelihood; its covariance is the inverse
Fisher information at the fit. ``a90`` is where the fitted POD reaches 90%; ``a90/95`` is where the
one-sided 95% lower (Wald) confidence bound of the linear predictor reaches logit 0.9. When hits and misses
separate perfectly on size the likelihood has no maximum, and only a bracket is reported.

Used by the self-test (``engine.jobs.selftest``), which pastes synthetic defects into good images: its figures
measure sensitivity to those synthetic defects, not to a product's real ones.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

Z95 = 1.6448536269514722  # one-sided 95% normal quantile
LOGIT90 = math.log(0.9 / 0.1)
SEARCH_FACTOR = 100.0  # a90/95 is looked for up to this many times the largest size tried
STATUSES = ("fitted", "all found", "none found", "separated", "not estimable")
# how the report page and the chart name and colour the self-test's shapes (engine.jobs.selftest.SHAPES)
SHAPE_LABELS = {
    "disc_dark": "disc, darker",
    "disc_bright": "disc, brighter",
    "stroke_dark": "stroke, darker",
    "stroke_bright": "stroke, brighter",
}
SHAPE_COLOURS = {"disc_dark": "#1565c0", "disc_bright": "#ef6c00", "stroke_dark": "#2e7d32", "stroke_bright": "#8e24aa"}
METHOD_NOTE = (
    "Hit/miss POD (MIL-HDBK-1823A): found or missed regressed on log size by maximum likelihood (logit link); "
    "a90/95 is where the one-sided 95% lower Wald bound of the fitted linear predictor reaches 90%."
)
SYNTHETIC_NOTE = (
    "These figures measure the sensitivity to synthetic defects (discs and strokes of fixed contrast pasted "
    "into held-back good images), not to the real defects of the product."
)


def _optional(value) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class PodFit:
    """A hit/miss POD fit on log size; sizes in pixels.

    ``status`` is "fitted" (a50, a90, a90_95 from the model; a90_95 None when the lower bound never reaches
    90% within ``SEARCH_FACTOR`` times the largest size), "all found" or "separated" (no maximum-likelihood
    fit: ``a90`` is then only an upper bound, the smallest size from which every defect was found, and
    a50 and a90_95 are None; None when defects were found only at the largest size, among misses there),
    "none found" (a90 above every size tried, all None) or "not estimable"
    (the fit's slope is not positive, or its information matrix is singular).
    """

    sizes: tuple[float, ...]
    hits: tuple[bool, ...]
    status: str
    intercept: float | None = None
    slope: float | None = None
    covariance: tuple[tuple[float, float], tuple[float, float]] | None = None
    a50: float | None = None
    a90: float | None = None
    a90_95: float | None = None
    found_from: float | None = None  # smallest size from which every defect was found (None: the largest had a miss)
    missed_up_to: float | None = None  # largest size with a miss (None: nothing missed)

    @property
    def samples(self) -> int:
        return len(self.hits)

    @property
    def found(self) -> int:
        return int(sum(self.hits))

    @property
    def a90_is_bound(self) -> bool:
        """Whether ``a90`` is only an upper bound (no fit exists)."""
        return self.status in ("all found", "separated") and self.a90 is not None

    def hit_fractions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each distinct size, the fraction found there and the number of samples."""
        sizes, hits = np.asarray(self.sizes, float), np.asarray(self.hits, bool)
        levels, inverse, counts = np.unique(sizes, return_inverse=True, return_counts=True)
        return levels, np.bincount(inverse, weights=hits, minlength=len(levels)) / counts, counts

    def summary(self, mm_per_pixel: float | None = None) -> str:
        """One line for people, e.g. ``fitted: a50 3.1 px, a90 5.2 px, a90/95 7.9 px (41 of 80 found)``."""

        def size(value: float | None) -> str:
            return format_size(value, mm_per_pixel)

        found = f"({self.found} of {self.samples} found)"
        if self.status == "fitted":
            cells = self.cells(mm_per_pixel)
            beyond = "; * beyond the largest size tried" if "*" in "".join(cells.values()) else ""
            return f"fitted: a50 {cells['a50']}, a90 {cells['a90']}, a90/95 {cells['a90/95']} {found}{beyond}"
        if self.status == "all found":
            return f"all found: a90 <= {size(self.a90)}, the smallest size tried; a90/95 not estimable {found}"
        if self.status == "separated" and self.a90 is None:
            return (
                f"separated: found only at the largest size tried, {size(max(self.sizes))}, and missed there too; "
                f"a90 above it, no fit {found}"
            )
        if self.status == "separated":
            return (
                f"separated: a90 <= {size(self.a90)} (every defect found from there on, the largest missed was "
                f"{size(self.missed_up_to)}); no fit, a90/95 not estimable {found}"
            )
        if self.status == "none found":
            return f"none found: a90 above the largest size tried, {size(max(self.sizes, default=None))} {found}"
        return f"not estimable: detection does not rise with size {found}"

    def cells(self, mm_per_pixel: float | None = None) -> dict[str, str]:
        """Short texts for a table: a50, a90 and a90/95, with "<=" where only a bound is known and "*" where
        the fitted value lies beyond the largest size tried (extrapolated)."""

        def size(value: float | None) -> str:
            return format_size(value, mm_per_pixel)

        if self.status == "fitted":
            largest = max(self.sizes)

            def fitted(value: float | None) -> str:  # "*": beyond the sizes tried, so extrapolated
                if value is None:
                    return "not reached"
                if value > SEARCH_FACTOR * largest:  # a number this far out says nothing more than this
                    return f"> {size(SEARCH_FACTOR * largest)}*"
                return size(value) + ("*" if value > largest else "")

            return {"a50": fitted(self.a50), "a90": fitted(self.a90), "a90/95": fitted(self.a90_95)}
        if self.a90_is_bound:
            return {"a50": "-", "a90": f"<= {size(self.a90)}", "a90/95": "-"}
        if self.status in ("none found", "separated"):  # separated without a bound: found only at the largest size
            return {"a50": "-", "a90": f"> {size(max(self.sizes))}", "a90/95": "-"}
        return {"a50": "-", "a90": "-", "a90/95": "-"}

    def to_dict(self) -> dict:
        return {
            "sizes": [float(s) for s in self.sizes],
            "hits": [bool(h) for h in self.hits],
            "status": self.status,
            "intercept": self.intercept,
            "slope": self.slope,
            "covariance": None if self.covariance is None else [list(row) for row in self.covariance],
            "a50": self.a50,
            "a90": self.a90,
            "a90_95": self.a90_95,
            "found_from": self.found_from,
            "missed_up_to": self.missed_up_to,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "PodFit":
        covariance = data.get("covariance")
        return cls(
            sizes=tuple(float(s) for s in data["sizes"]),
            hits=tuple(bool(h) for h in data["hits"]),
            status=str(data["status"]),
            intercept=_optional(data.get("intercept")),
            slope=_optional(data.get("slope")),
            covariance=None if covariance is None else tuple(tuple(float(v) for v in row) for row in covariance),
            a50=_optional(data.get("a50")),
            a90=_optional(data.get("a90")),
            a90_95=_optional(data.get("a90_95")),
            found_from=_optional(data.get("found_from")),
            missed_up_to=_optional(data.get("missed_up_to")),
        )


def format_size(value: float | None, mm_per_pixel: float | None = None) -> str:
    """``5.2 px``, or ``0.26 mm`` with a scale; a dash for None (ASCII only: consoles may not be UTF-8)."""
    if value is None:
        return "-"
    value, unit = (value * mm_per_pixel, "mm") if mm_per_pixel else (value, "px")
    return f"{value:.3g} {unit}" if abs(value) < 1000 else f"{value:.0f} {unit}"  # 3140, not 3.14e+03


def _brackets(sizes: np.ndarray, hits: np.ndarray) -> tuple[float | None, float | None]:
    """(smallest size from which every defect was found, largest size with a miss)."""
    missed = sizes[~hits]
    if missed.size == 0:
        return float(sizes.min()), None
    largest_miss = float(missed.max())
    above = sizes[sizes > largest_miss]
    return (float(above.min()) if above.size else None), largest_miss


def fit_pod(sizes, hits) -> PodFit:
    """Fit POD(a) on hit/miss data; ``sizes`` positive (pixels), ``hits`` booleans of the same length."""
    sizes = np.asarray(sizes, dtype=np.float64).ravel()
    hits = np.asarray(hits, dtype=bool).ravel()
    if sizes.shape != hits.shape or sizes.size == 0:
        raise ValueError("sizes and hits must be non-empty and of the same length")
    if np.any(sizes <= 0) or not np.all(np.isfinite(sizes)):
        raise ValueError("sizes must be positive and finite")
    found_from, missed_up_to = _brackets(sizes, hits)
    base = {"sizes": tuple(sizes.tolist()), "hits": tuple(hits.tolist()), "found_from": found_from, "missed_up_to": missed_up_to}
    if hits.all():
        return PodFit(status="all found", a90=found_from, **base)
    if not hits.any():
        return PodFit(status="none found", **base)
    # In one dimension the MLE exists only when hits and misses overlap on size, both ways round.
    if sizes[~hits].max() <= sizes[hits].min():
        return PodFit(status="separated", a90=found_from, **base)
    if sizes[hits].max() <= sizes[~hits].min():
        return PodFit(status="not estimable", **base)
    x = np.log(sizes)
    model = LogisticRegression(C=np.inf, solver="newton-cholesky", max_iter=200, tol=1e-10)  # C=inf: no penalty
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            model.fit(x[:, None], hits.astype(int))
        except ConvergenceWarning:
            return PodFit(status="not estimable", **base)
    b0, b1 = float(model.intercept_[0]), float(model.coef_[0, 0])
    design = np.column_stack([np.ones_like(x), x])
    p = expit(b0 + b1 * x)
    information = design.T @ (design * (p * (1 - p))[:, None])
    if b1 <= 0 or np.linalg.cond(information) > 1e12:
        return PodFit(status="not estimable", intercept=b0, slope=b1, **base)
    covariance = np.linalg.inv(information)
    fit = PodFit(
        status="fitted",
        intercept=b0,
        slope=b1,
        covariance=tuple(tuple(float(v) for v in row) for row in covariance),
        a50=math.exp(-b0 / b1),
        a90=math.exp((LOGIT90 - b0) / b1),
        **base,
    )
    return _with_a90_95(fit, float(np.log(sizes.max() * SEARCH_FACTOR)))


def _lower_eta(fit: PodFit, x: np.ndarray | float) -> np.ndarray:
    """One-sided 95% lower Wald bound of the linear predictor at log size ``x``."""
    c = np.asarray(fit.covariance)
    x = np.asarray(x, dtype=np.float64)
    variance = c[0, 0] + 2 * c[0, 1] * x + c[1, 1] * x * x
    return fit.intercept + fit.slope * x - Z95 * np.sqrt(np.maximum(variance, 0.0))


def _with_a90_95(fit: PodFit, x_max: float) -> PodFit:
    """The fit with its a90/95: the first log size above log a90 where the lower bound reaches logit 0.9.

    The lower bound is concave in log size (a line minus a norm), so it crosses the level at most twice;
    searching up to its maximum finds the first crossing.
    """
    start = math.log(fit.a90)
    if start >= x_max:
        return fit

    def gap(x: float) -> float:
        return float(_lower_eta(fit, x)) - LOGIT90

    peak = minimize_scalar(lambda x: -gap(x), bounds=(start, x_max), method="bounded", options={"xatol": 1e-9})
    end = max((float(peak.x), x_max), key=gap)  # the bounded search can stop just short of the end
    if gap(end) < 0:
        return fit
    return replace(fit, a90_95=math.exp(brentq(gap, start, end, xtol=1e-12)))


def pod_curve(fit: PodFit, sizes) -> tuple[np.ndarray, np.ndarray]:
    """The fitted POD and its 95% lower bound at ``sizes`` (pixels); NaN where there is no fit."""
    sizes = np.asarray(sizes, dtype=np.float64)
    if fit.status != "fitted":
        empty = np.full(sizes.shape, np.nan)
        return empty, empty.copy()
    x = np.log(sizes)
    return expit(fit.intercept + fit.slope * x), expit(_lower_eta(fit, x))


def record_fits(record: dict, nok: float | None = None) -> dict[str, PodFit]:
    """The fits of a self-test record (``engine.jobs.selftest.selftest_record``): as stored, or with ``nok``
    recomputed from its raw scores (hit: score > ``nok``), as for a threshold changed since the test."""
    shapes = record.get("scores", {}).get("shapes")
    if nok is None or not shapes:
        return {name: PodFit.from_dict(data) for name, data in record["fits"].items()}
    return {name: fit_pod(data["sizes"], np.asarray(data["scores"], float) > nok) for name, data in shapes.items()}


def plot_span(fits: dict[str, PodFit]) -> tuple[float, float]:
    """Sizes (px) a chart of ``fits`` spans: those tried, and a90 or a90/95 up to 3 times the largest
    (further extrapolations are left to the table)."""
    sizes = [s for fit in fits.values() for s in fit.sizes]
    marks = [v for fit in fits.values() for v in (fit.a90, fit.a90_95) if v is not None and v < 3 * max(sizes)]
    return min(sizes) / 1.3, max([max(sizes), *marks]) * 1.3
