"""History rows as text: a table for the terminal and a CSV file of every matching row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from radar_desktop.core.atomic import atomic_output
from radar_desktop.history.database import HistoryDatabase, HistoryFilter, HistoryRow
from radar_desktop.reports.entries import defuse_cell, region_text

CSV_COLUMNS = (
    "id", "inspected_at", "name", "path", "verdict", "score", "decision", "decision_reason", "reviewer",
    "reviewed_at", "profile", "profile_hash", "scorer", "review_threshold", "nok_threshold", "operator",
    "station", "lot", "origin", "sha256", "width", "height", "message", "regions", "region_list",
    "milliseconds", "heatmap_file", "thumbnail_file",
)
TABLE_COLUMNS = (("id", 8), ("time", 25), ("verdict", 7), ("review", 6), ("score", 9), ("profile", 16),
                 ("lot", 12), ("operator", 12), ("name", 0))
PAGE = 2000  # rows per query while exporting: memory stays flat at any history size


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def csv_row(row: HistoryRow) -> list[str]:
    """One row's CSV cells (not yet defused)."""
    record, review = row.record, row.review
    regions = record.region_records()
    return [
        str(row.id), record.inspected_at, record.name, record.path, record.verdict, _number(record.score),
        review.decision if review else "", review.reason if review else "", review.reviewer if review else "",
        review.reviewed_at if review else "", record.profile_name, record.profile_hash, record.scorer,
        _number(record.review_threshold), _number(record.nok_threshold), record.operator, record.station,
        record.lot, record.origin, record.sha256 or "", "" if record.width is None else str(record.width),
        "" if record.height is None else str(record.height), record.message, str(len(regions)),
        "; ".join(region_text(r) for r in regions), f"{record.milliseconds:.1f}", record.heatmap_file or "",
        record.thumbnail_file or "",
    ]


def all_rows(database: HistoryDatabase, flt: HistoryFilter) -> Iterator[HistoryRow]:
    """Every matching row, oldest first, fetched a page at a time (keyset paging: no slow deep offsets)."""
    last = None
    while True:
        page = database.query(flt, order_by="time", descending=False, limit=PAGE, after=last)
        yield from page
        if len(page) < PAGE:
            return
        last = page[-1]


def write_history_csv(database: HistoryDatabase, flt: HistoryFilter, path: Path) -> int:
    """Write every matching row as UTF-8 CSV, atomically, spreadsheet-safe; returns how many rows."""
    count = 0
    with atomic_output(Path(path)) as temp, temp.open("w", encoding="utf-8", newline="", errors="backslashreplace") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in all_rows(database, flt):
            writer.writerow([defuse_cell(cell) for cell in csv_row(row)])
            count += 1
    return count


def history_table(rows: list[HistoryRow]) -> list[str]:
    """Rows as aligned lines for a terminal, header first."""
    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) if width else cell for cell, (_, width) in zip(cells, TABLE_COLUMNS)).rstrip()

    lines = [line([name for name, _ in TABLE_COLUMNS])]
    for row in rows:
        record = row.record
        lines.append(line([
            str(row.id), record.inspected_at, record.verdict, row.review.decision if row.review else "",
            _number(record.score), record.profile_name, record.lot, record.operator, record.name,
        ]))
    return lines

