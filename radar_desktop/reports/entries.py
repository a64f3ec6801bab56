"""One entry per inspected file, as reports, CSV and JSON record it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from radar_desktop.core.atomic import write_text_atomic
from radar_desktop.core.records import ScanOutcome

ERROR = "ERROR"
VERDICTS = ("OK", "REVIEW", "NOK", ERROR)
FLAGGED = frozenset({"REVIEW", "NOK"})
CSV_COLUMNS = ("index", "name", "path", "inspected_at", "score", "verdict", "message", "comment", "milliseconds")


@dataclass(frozen=True)
class ReportEntry:
    """One file of an inspection session.

    ``verdict`` is OK, REVIEW, NOK or ERROR (the file could not be inspected; ``message`` says why).
    ``index`` counts from 1 in inspection order.
    """

    index: int
    path: str
    inspected_at: str
    score: float | None
    verdict: str
    message: str = ""
    comment: str = ""
    milliseconds: float = 0.0

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def flagged(self) -> bool:
        return self.verdict in FLAGGED

    def to_json(self) -> dict:
        return {**asdict(self), "name": self.name}

    def csv_row(self) -> list[str]:
        score = "" if self.score is None else f"{self.score:.6g}"
        values = (self.index, self.name, self.path, self.inspected_at, score, self.verdict, self.message, self.comment)
        return [str(v) for v in values] + [f"{self.milliseconds:.1f}"]


def verdict_of(outcome: ScanOutcome) -> str:
    """OK, REVIEW or NOK for an inspected file; ERROR for one that could not be inspected."""
    return ERROR if outcome.result is None else outcome.result.verdict.value


def entry_from_outcome(index: int, outcome: ScanOutcome, comment: str = "") -> ReportEntry:
    """The report entry of one scan outcome."""
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
    writer.writerows([_defuse(cell) for cell in entry.csv_row()] for entry in entries)
    return buffer.getvalue()


def write_entries_csv(entries: list[ReportEntry], path: Path) -> None:
    """Write the entries as UTF-8 CSV atomically."""
    write_text_atomic(path, entries_csv(entries))


def _defuse(cell: str) -> str:
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
