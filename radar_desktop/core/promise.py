"""What a profile's false-reject promise rests on: the rate it targets, the rate seen on held-back good
images, and what that many images can show.

A threshold set to reject 1% of good parts is an estimate from the held-back images. With none of n
rejected, the true rate can still be as high as the one-sided Clopper-Pearson bound; a 1% promise is only
shown once that bound falls to 1%, which takes 299 images with none rejected (59 for 5%). Fewer images
still give a threshold, but the words must say what it can and cannot promise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from radar_desktop.core.calibration import NOK_FALSE_REJECT_RATE, REVIEW_FALSE_REJECT_RATE, false_reject_upper_bound

CONFIDENCE = 0.95


def images_needed(rate: float, confidence: float = CONFIDENCE, seen: float = 0.0) -> int | None:
    """Held-back images that show a false-reject rate of at most ``rate`` when ``seen`` of them are rejected
    (none by default); None when no number can (``seen`` is not below ``rate``). Rounded up by 5 % steps
    where some are rejected."""
    if seen >= rate:
        return None
    count = math.ceil(math.log(1.0 - confidence) / math.log(1.0 - rate))
    while seen > 0 and false_reject_upper_bound(round(seen * count), count, confidence) > rate:
        count = math.ceil(count * 1.05)
    return count


@dataclass(frozen=True)
class Promise:
    """One threshold's promise: ``target`` share of good parts above it at most, seen on ``images``."""

    line: str  # "NOK" or "REVIEW"
    target: float
    images: int  # distinct held-back good images (camera re-renderings of one image count once)
    seen: float  # share of the held-back good scores above the line
    bound: float  # one-sided 95% upper bound on the true rate

    @property
    def shown(self) -> bool:
        """Whether the held-back images show the target (the bound is at or below it)."""
        return self.bound <= self.target

    @property
    def needed(self) -> int | None:
        """Held-back images that would show the target at the rate seen (None: no number would)."""
        return images_needed(self.target, seen=self.seen)

    def text(self) -> str:
        """One line a technician reads, e.g. ``NOK: at most 1 % of good parts promised; ...``."""
        head = (
            f"{self.line}: at most {_percent(self.target)} of good parts promised; {_percent(self.seen)} of "
            f"{self.images} held-back good images above it, true rate below {_percent(self.bound)} (95 % confidence)"
        )
        if self.shown:
            return head + " — shown."
        needed = self.needed
        if needed is None:
            return head + " — not kept on the held-back images: recalibrate with more good images."
        at_seen = f" at the {_percent(self.seen)} seen" if self.seen else ""
        return head + (
            f" — {self.images} images cannot show {_percent(self.target)}{at_seen}: {needed} or more are needed "
            f"(capture {max(needed - self.images, 1)} more good images, from another session or day if you can)."
        )


def promise(line: str, target: float, good_scores: np.ndarray, threshold: float, images: int) -> Promise:
    """The promise of a threshold at ``threshold``, from held-back good scores of ``images`` distinct images.

    Scores may include camera re-renderings of each image; the bound counts each image once (re-renderings
    of one image are not independent evidence), with the share seen over all scores.
    """
    scores = np.asarray(good_scores, dtype=np.float64)
    seen = float(np.mean(scores > threshold)) if scores.size else 0.0
    images = max(int(images), 0)
    return Promise(line, target, images, seen, false_reject_upper_bound(round(seen * images), images))


def threshold_promises(
    good_scores: np.ndarray, review: float, nok: float, images: int,
    nok_rate: float = NOK_FALSE_REJECT_RATE, review_rate: float = REVIEW_FALSE_REJECT_RATE,
) -> tuple[Promise, Promise]:
    """The NOK and REVIEW promises of a pair of thresholds."""
    return (promise("NOK", nok_rate, good_scores, nok, images), promise("REVIEW", review_rate, good_scores, review, images))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _percent(rate: float) -> str:
    return f"{100 * rate:.1f} %" if rate < 0.1 else f"{100 * rate:.0f} %"


#: Inspections a drift chart's promise check looks back over at each point.
WATCH_WINDOW = 200


@dataclass(frozen=True)
class PromiseWatch:
    """Good parts flagged in production against the promise, from review decisions.

    A good part is one the machine passed (OK) or one a person reviewed OK after it was flagged; flagged
    parts nobody reviewed yet are left out (whether they were good is not known). At each row the newest
    ``window`` rows up to it are counted; the promise is broken where the share of good parts flagged
    (REVIEW or NOK) or rejected (NOK) is above its target with 95 % confidence (the Clopper-Pearson
    lower bound is above it), so a single unlucky part does not raise the alarm.
    """

    rows: int
    window: int
    good: int  # in the newest window
    flagged_good: int
    rejected_good: int
    unreviewed: int
    review_target: float
    nok_target: float
    broken: tuple[int, ...]  # row indices where the window up to the row breaks a promise

    @property
    def broken_now(self) -> bool:
        """Whether the newest window breaks the promise."""
        return bool(self.broken) and self.broken[-1] == self.rows - 1

    def message(self) -> str:
        """What a technician should know, and do, about the promise now."""
        if self.good == 0:
            return "False-reject promise: no good parts in the history yet."
        flagged = f"{self.flagged_good} of {self.good} good parts flagged ({_percent(self.flagged_good / self.good)}), " \
                  f"{self.rejected_good} rejected NOK ({_percent(self.rejected_good / self.good)})"
        pending = f"; {_count(self.unreviewed, 'flagged part')} not reviewed yet" if self.unreviewed else ""
        scope = f"in the last {self.window} inspections" if self.window else ""
        if self.broken_now:
            return (f"False-reject promise broken: {flagged} {scope}, above the promised {_percent(self.review_target)} "
                    f"REVIEW / {_percent(self.nok_target)} NOK (95 % sure){pending}. Recalibrate: add the images reviewed "
                    "OK to the profile's held-back set (Review tab), or recalibrate with good images of today's production.")
        return f"False-reject promise kept: {flagged} {scope}{pending}."


def watch_promise(
    verdicts: tuple[str, ...] | list[str], decisions: tuple[str, ...] | list[str],
    review_target: float = REVIEW_FALSE_REJECT_RATE, nok_target: float = NOK_FALSE_REJECT_RATE,
    window: int = WATCH_WINDOW,
) -> PromiseWatch:
    """The promise check over rows in time order: each one's machine verdict and latest review decision."""
    from scipy.stats import beta

    verdict = np.asarray(verdicts, dtype=object)
    decision = np.asarray(decisions, dtype=object)
    flagged = np.isin(verdict, ("REVIEW", "NOK"))
    reviewed_ok = flagged & (decision == "OK")
    good = ((verdict == "OK") & (decision != "NOK")) | reviewed_ok
    rejected_ok = reviewed_ok & (verdict == "NOK")

    def trailing(mask: np.ndarray) -> np.ndarray:
        total = np.concatenate([[0], np.cumsum(mask)])
        ends = np.arange(1, mask.size + 1)
        return total[ends] - total[np.maximum(ends - window, 0)]

    n, k_flag, k_nok = trailing(good), trailing(reviewed_ok), trailing(rejected_ok)
    lower = lambda k: np.where(k > 0, beta.ppf(0.05, np.maximum(k, 1), np.maximum(n - k + 1, 1)), 0.0)  # noqa: E731
    broken = np.flatnonzero((n > 0) & ((lower(k_flag) > review_target) | (lower(k_nok) > nok_target)))
    last = slice(max(verdict.size - window, 0), None)
    return PromiseWatch(
        rows=verdict.size, window=min(window, verdict.size), good=int(good[last].sum()), flagged_good=int(reviewed_ok[last].sum()),
        rejected_good=int(rejected_ok[last].sum()), unreviewed=int((flagged & (decision == ""))[last].sum()),
        review_target=review_target, nok_target=nok_target, broken=tuple(int(i) for i in broken),
    )
