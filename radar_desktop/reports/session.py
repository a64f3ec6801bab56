"""The report model: who inspected what, with which profile, what was found; built without Qt."""

from __future__ import annotations

import json
import platform
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from radar_desktop import __version__
from radar_desktop.core.atomic import write_text_atomic
from radar_desktop.core.quantities import score_text
from radar_desktop.core.verdict import Thresholds
from radar_desktop.reports.entries import ReportEntry, verdict_counts

HISTOGRAM_BINS = 30


@dataclass(frozen=True)
class SessionInfo:
    """Traceability of one inspection session: the people, machine, software, profile and settings."""

    operator: str
    source: str
    profile_name: str
    profile_hash: str
    scorer: str
    device: str
    thresholds: Thresholds
    model: dict = field(default_factory=dict)
    station: str = field(default_factory=platform.node)
    inspection: dict = field(default_factory=dict)  # the profile's scale, acceptance rules and mask flag
    selftest: dict = field(default_factory=dict)  # the profile's detection-probability self-test
    drift: dict = field(default_factory=dict)  # the profile's recent scores on a control chart (history.drift)
    software_version: str = __version__
    scorer_parts: tuple[str, ...] = ()  # what the scorer's score is made of (a fused scorer's parts)
    read_scale: bool = False  # scores read 0 for a typical good part, 1 at the NOK line
    promise: tuple[str, ...] = ()  # what the thresholds promise and what that rests on (profiles.promises)

    @property
    def scorer_text(self) -> str:
        """The scorer and its parts, e.g. ``fused (memory bank + RADAR step)``."""
        return f"{self.scorer} ({' + '.join(self.scorer_parts)})" if len(self.scorer_parts) > 1 else self.scorer

    @property
    def thresholds_text(self) -> str:
        """Both thresholds in words, with what the score's scale means where it has one."""
        text = f"REVIEW when score > {score_text(self.thresholds.review)},  NOK when score > {score_text(self.thresholds.nok)}"
        return text + ("   (score 0: a typical good part, 1: the NOK line)" if self.read_scale else "")

    def to_json(self) -> dict:
        return {**asdict(self), "thresholds": self.thresholds.to_dict()}


@dataclass(frozen=True)
class ScoreSummary:
    """Counts per verdict, score statistics and a histogram of the inspected images' scores."""

    counts: dict[str, int]
    statistics: dict[str, float]
    histogram_edges: tuple[float, ...]
    histogram_counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict:
        return {
            "counts": self.counts,
            "total": self.total,
            "statistics": self.statistics,
            "histogram": {"edges": list(self.histogram_edges), "counts": list(self.histogram_counts)},
        }


@dataclass(frozen=True)
class Report:
    """Everything a report says; the PDF, CSV and JSON are views of it."""

    report_id: str
    created: str
    session: SessionInfo
    entries: tuple[ReportEntry, ...]
    summary: ScoreSummary

    def to_json(self) -> dict:
        return {
            "report_id": self.report_id,
            "created": self.created,
            "session": self.session.to_json(),
            "summary": self.summary.to_json(),
            "entries": [e.to_json() for e in self.entries],
        }


def build_report(session: SessionInfo, entries: list[ReportEntry], created: datetime | None = None) -> Report:
    """A report of ``entries`` with a fresh identifier; refuses an empty session."""
    if not entries:
        raise ValueError("nothing to report: the session has no inspected images")
    created = (created or datetime.now()).astimezone()
    report_id = f"RPT-{created:%Y%m%d-%H%M%S}-{secrets.token_hex(3).upper()}"
    summary = summarize(entries, session.thresholds)
    return Report(report_id, created.isoformat(timespec="seconds"), session, tuple(entries), summary)


def summarize(entries: list[ReportEntry], thresholds: Thresholds) -> ScoreSummary:
    """Counts, statistics and a histogram whose range also shows both thresholds."""
    counts = verdict_counts(e.verdict for e in entries)
    scores = np.array([e.score for e in entries if e.score is not None], dtype=np.float64)
    if scores.size == 0:
        return ScoreSummary(counts, {"images scored": 0}, (), ())
    statistics = {
        "images scored": int(scores.size),
        "min": float(scores.min()),
        "median": float(np.median(scores)),
        "mean": float(scores.mean()),
        "95th percentile": float(np.percentile(scores, 95)),
        "max": float(scores.max()),
    }
    low = min(float(scores.min()), thresholds.review)
    high = max(float(scores.max()), thresholds.nok)
    margin = 0.05 * (high - low) or 1.0
    histogram, edges = np.histogram(scores, bins=HISTOGRAM_BINS, range=(low - margin, high + margin))
    return ScoreSummary(counts, statistics, tuple(float(e) for e in edges), tuple(int(c) for c in histogram))


def write_report_json(report: Report, path: Path, **extra) -> None:
    """The report as JSON (with ``extra`` keys, such as what the PDF holds), written atomically."""
    write_text_atomic(path, json.dumps({**report.to_json(), **extra}, indent=2, ensure_ascii=False))
