"""One entry per inspected file, as reports, CSV and JSON record it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from radar_desktop.core.atomic import write_text_atomic
from radar_desktop.core.quantities import parts_text, plain
from radar_desktop.core.records import ScanOutcome
from radar_desktop.core.regions import size_text

ERROR = "ERROR"
VERDICTS = ("OK", "REVIEW", "NOK", ERROR)
VERDICT_COLOURS = {"OK": "#2e7d32", "REVIEW": "#ef6c00", "NOK": "#c62828", ERROR: "#616161"}
FLAGGED = frozenset({"REVIEW", "NOK"})
CSV_COLUMNS = (
    "index", "name", "path", "inspected_at", "score", "verdict", "message", "comment", "milliseconds",
    "regions", "largest_area", "area_unit", "largest_length", "length_unit", "region_list", "rule", "review",
    "score_parts",
)


@dataclass(frozen=True)
class ReportEntry:
    """One file of an inspection session.

    ``verdict`` is OK, REVIEW, NOK or ERROR (the file could not be inspected; ``message`` says why).
    ``index`` counts from 1 in inspection order. ``regions`` are :meth:`Region.to_json` records, largest
    first; ``rule`` says what an acceptance rule did. ``review`` is a person's decision in words (see
    :func:`review_text`), beside the machine ``verdict``, never instead of it. ``parts`` are what a fused
    score is made of (label: score on its own read scale).
    """

    index: int
    path: str
    inspected_at: str
    score: float | None
    verdict: str
    message: str = ""
    comment: str = ""
    milliseconds: float = 0.0
    regions: tuple[dict, ...] = ()
    rule: str = ""
    review: str = ""
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def flagged(self) -> bool:
        return self.verdict in FLAGGED

    def to_json(self) -> dict:
        return {**asdict(self), "regions": list(self.regions), "name": self.name}

    def region_list(self) -> str:
        """The regions in words, largest first, e.g. ``0.42 mm² · 1.3 mm; 0.05 mm² · 0.3 mm (ignored)``."""
        return "; ".join(region_text(r) for r in self.regions)

    def csv_row(self) -> list[str]:
        score = "" if self.score is None else plain(self.score)
        values = (self.index, self.name, self.path, self.inspected_at, score, self.verdict, self.message, self.comment)
        largest = self.regions[0] if self.regions else None
        measured = (
            [plain(largest["area"]), largest["area_unit"], plain(largest["length"]), largest["length_unit"]]
            if largest else ["", "", "", ""]
        )
        return [str(v) for v in values] + [f"{self.milliseconds:.1f}", str(len(self.regions)), *measured,
                                           self.region_list(), self.rule, self.review, parts_text(self.parts, "; ")]


def region_text(region: dict) -> str:
    """One region record in words: area, length, and whether a rule ignored it."""
    text = size_text(region["area"], region["area_unit"], region["length"], region["length_unit"])
    return text + (" (ignored)" if region.get("ignored") else "")


def review_text(decision: str, reviewer: str, reviewed_at: str, reason: str = "") -> str:
    """A person's decision in words, e.g. ``OK by ann, 2026-12-02 14:03: scratch is dust``."""
    who = f" by {reviewer}" if reviewer else ""
    return f"{decision}{who}, {reviewed_at[:16].replace('T', ' ')}" + (f": {reason}" if reason else "")


def verdict_of(outcome: ScanOutcome) -> str:
    """OK, REVIEW or NOK for an inspected file; ERROR for one that could not be inspected."""
    return ERROR if outcome.result is None else outcome.result.verdict.value


def entry_from_outcome(
    index: int, outcome: ScanOutcome, comment: str = "", mm_per_pixel: float | None = None, review: str = ""
) -> ReportEntry:
    """The report entry of one scan outcome; region sizes in mm with a scale (``mm_per_pixel``), else px;
    ``review``: the decision on it in words (:func:`review_text`)."""
    result = outcome.result
    return ReportEntry(
        index=index,
        path=outcome.path,
        inspected_at=outcome.inspected_at,
        score=None if result is None else float(result.score),
        verdict=verdict_of(outcome),
        message=outcome.error or "",
        comment=comment,
        milliseconds=outcome.milliseconds,
        regions=() if result is None else tuple(r.to_json(mm_per_pixel) for r in result.regions),
        rule="" if result is None else result.rule,
        review=review,
        parts={} if result is None else dict(result.parts),
    )


def verdict_counts(verdicts: Iterable[str]) -> dict[str, int]:
    """How many of each verdict (OK, REVIEW, NOK, ERROR), every key present."""
    counts = dict.fromkeys(VERDICTS, 0)
    for verdict in verdicts:
        counts[verdict] += 1
    return counts


def entries_csv(entries: list[ReportEntry]) -> str:
    """The entries as CSV text (header first); safe for spreadsheets (no formula cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([defuse_cell(cell) for cell in entry.csv_row()] for entry in entries)
    return buffer.getvalue()


def write_entries_csv(entries: list[ReportEntry], path: Path) -> None:
    """Write the entries as UTF-8 CSV atomically."""
    write_text_atomic(path, entries_csv(entries))


def defuse_cell(cell: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading apostrophe stops that."""
    if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not _is_number(cell)):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
