"""One row per scanned file, and its CSV form."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from radar_desktop.core.atomic import write_text_atomic

COLUMNS = ("path", "score", "verdict", "status", "message", "milliseconds")


@dataclass(frozen=True)
class ScanRow:
    """Outcome for one file: ``status`` is ``ok`` or ``error`` (then ``message`` says why)."""

    path: str
    score: float | None
    verdict: str
    status: str
    message: str
    milliseconds: float

    def as_csv(self) -> list[str]:
        score = "" if self.score is None else f"{self.score:.6g}"
        return [self.path, score, self.verdict, self.status, self.message, f"{self.milliseconds:.1f}"]


def write_scan_csv(rows: list[ScanRow], path: Path) -> None:
    """Write the rows as CSV (UTF-8, header first) atomically."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.as_csv() for row in rows)
    write_text_atomic(path, buffer.getvalue())
