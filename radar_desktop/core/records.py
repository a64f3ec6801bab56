"""Immutable records that cross threads or go to disk."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from radar_desktop.core.regions import Region
from radar_desktop.core.verdict import Verdict


def login_name() -> str:
    """The user's login name: the default operator on a report, the author of a profile ("" when none)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers and services
        return ""


def local_timestamp() -> str:
    """Now, as local time with its UTC offset, to the second (what quality records show)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Timings:
    """Milliseconds spent in each stage of one inspection."""

    preprocess_ms: float = 0.0
    forward_ms: float = 0.0
    score_ms: float = 0.0

    @property
    def total_ms(self) -> float:
        return self.preprocess_ms + self.forward_ms + self.score_ms


@dataclass(frozen=True)
class InspectionResult:
    """What one single-step inspection found in one image.

    ``anomaly_map`` has the original image's height and width; higher is more anomalous. ``regions``
    are measured on flagged images' maps; ``rule`` says what an acceptance rule did (empty: nothing).
    ``parts`` are the scores of what a fused score is made of, by label, each on its own read scale
    (0 a typical good part, 1 its NOK line); empty for a scorer of one part.
    """

    source: str
    scorer: str
    anomaly_map: np.ndarray
    score: float
    verdict: Verdict
    timings: Timings = field(default_factory=Timings)
    regions: tuple[Region, ...] = ()
    rule: str = ""
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScanOutcome:
    """One file of a scan: a result, or the reason it could not be inspected.

    ``thumbnail`` is a small uint8 copy of the image (H, W, C) for lists, None when unreadable.
    ``inspected_at`` is the local time (ISO 8601 with UTC offset) the outcome was known.
    """

    path: str
    result: InspectionResult | None
    error: str | None
    milliseconds: float
    thumbnail: np.ndarray | None = None
    inspected_at: str = field(default_factory=local_timestamp)
