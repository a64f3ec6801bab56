"""The PDF report of history rows: the session report, rebuilt from what the history kept of each inspection.

A report covers one profile (its thresholds colour the score chart and the verdict zones), so rows of several
profiles are refused with the names found. Pictures come from the image file when it is unchanged, else from
the stored thumbnail; outlines are the stored regions' boxes, since the full-size anomaly map is not kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from radar_desktop.core.verdict import Thresholds
from radar_desktop.history.database import HistoryDatabase, HistoryError, HistoryFilter, HistoryRow
from radar_desktop.history.drift import report_drift
from radar_desktop.history.export import all_rows
from radar_desktop.history.pictures import row_pictures
from radar_desktop.profiles.profile import ProfileError
from radar_desktop.profiles.promises import promise_lines
from radar_desktop.profiles.store import open_profile
from radar_desktop.reports.entries import ERROR, ReportEntry, review_text
from radar_desktop.reports.figures import FIGURE_SIDE, EntryFigure, FigureSource, encode_jpeg
from radar_desktop.reports.session import Report, SessionInfo, build_report

MAX_REPORT_ROWS = 10_000  # a PDF of more is hundreds of pages: narrow the filter, or export CSV
HEAT_OPACITY = 0.5


@dataclass(frozen=True)
class HistoryReport:
    """A report of history rows and the rows behind its entries (by entry index, for the pictures)."""

    report: Report
    rows: dict[int, HistoryRow]


def history_report(database: HistoryDatabase, flt: HistoryFilter, *, operator: str, source: str = "") -> HistoryReport:
    """The report of every row ``flt`` matches, oldest first, under ``operator``'s name.

    Raises :class:`HistoryError` when nothing matches, more than ``MAX_REPORT_ROWS`` do, or the rows come
    from more than one profile.
    """
    total = database.count(flt)
    if total == 0:
        raise HistoryError("no inspections match: nothing to report")
    if total > MAX_REPORT_ROWS:
        raise HistoryError(
            f"{total:,} inspections match; a PDF report holds at most {MAX_REPORT_ROWS:,}. "
            "Narrow the filter (a lot, a date range) or export CSV"
        )
    rows = list(all_rows(database, flt))
    names = sorted({row.record.profile_name for row in rows})
    if len(names) > 1:
        raise HistoryError(f"the inspections come from {len(names)} profiles ({', '.join(names)}); "
                           "a report covers one: filter on one profile")
    entries = [history_entry(index, row) for index, row in enumerate(rows, start=1)]
    report = build_report(_session(rows, operator, source or _source_line(rows), database.path), entries)
    return HistoryReport(report, dict(enumerate(rows, start=1)))


def history_entry(index: int, row: HistoryRow) -> ReportEntry:
    """The report entry of one stored inspection (its machine verdict, as recorded, and the latest decision on it)."""
    record, review = row.record, row.review
    failed = record.verdict == ERROR
    return ReportEntry(
        index=index,
        path=record.path,
        inspected_at=record.inspected_at,
        score=record.score,
        verdict=record.verdict,
        message=record.message if failed else "",
        milliseconds=record.milliseconds,
        regions=tuple(record.region_records()),
        rule="" if failed else record.message,
        review="" if review is None else review_text(review.decision, review.reviewer, review.reviewed_at, review.reason),
    )


def _session(rows: list[HistoryRow], operator: str, source: str, path: Path) -> SessionInfo:
    """The session of the newest row's profile version; the profile's own details when it is still here unchanged."""
    judged = [row.record for row in rows if row.record.nok_threshold is not None]
    newest = (judged or [rows[-1].record])[-1]
    if newest.nok_threshold is None:
        raise HistoryError("none of the inspections was judged against thresholds: nothing to report")
    thresholds = Thresholds(newest.review_threshold if newest.review_threshold is not None else newest.nok_threshold,
                            newest.nok_threshold)
    details = {}
    try:
        profile = open_profile(newest.profile_name)
        if profile.content_hash == newest.profile_hash:
            entry = profile.entry(newest.scorer or None)
            details = {"inspection": dict(profile.inspection), "selftest": dict(profile.selftest),
                       "scorer_parts": tuple(entry.parts), "read_scale": entry.read_scale,
                       "promise": promise_lines(profile, newest.scorer or None)}
    except (ProfileError, OSError, ValueError):
        pass  # deleted or renamed since: the history alone still says which version judged each image
    stations = sorted({row.record.station for row in rows if row.record.station})
    return SessionInfo(
        operator=operator,
        source=source,
        profile_name=newest.profile_name,
        profile_hash=newest.profile_hash,
        scorer=newest.scorer,
        device="as recorded in the history",
        thresholds=thresholds,
        station=", ".join(stations) or "unknown",
        drift=report_drift(newest.profile_name, newest.scorer or None, path=path),
        **details,
    )


def _source_line(rows: list[HistoryRow]) -> str:
    """What the report covers, e.g. ``history: lot 42 · 2026-11-30 to 2026-12-02 · 2 profile versions``."""
    lots = sorted({row.record.lot for row in rows if row.record.lot})
    days = sorted({row.record.inspected_at[:10] for row in rows})
    versions = len({row.record.profile_hash for row in rows})
    parts = ["history"]
    if lots:
        parts.append(f"lot {', '.join(lots[:5])}" + (f" and {len(lots) - 5} more" if len(lots) > 5 else ""))
    parts.append(days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}")
    if versions > 1:
        parts.append(f"{versions} profile versions (thresholds of the newest)")
    return " · ".join(parts)


def history_figures(files_dir: Path, rows: dict[int, HistoryRow]) -> FigureSource:
    """Pictures of each entry from what the history kept: image or thumbnail, stored heatmap, region boxes.

    ``files_dir`` is the database's picture folder; no SQL runs, so the report may be drawn on any thread.
    """

    def figure(entry: ReportEntry) -> EntryFigure | None:
        row = rows.get(entry.index)
        if row is None:
            return None
        pictures = row_pictures(files_dir, row, FIGURE_SIDE)
        if pictures.image is None:
            return None
        image = pictures.image if pictures.image.ndim == 3 else cv2.cvtColor(pictures.image, cv2.COLOR_GRAY2BGR)
        heat = image if pictures.heatmap is None else cv2.addWeighted(image, 1 - HEAT_OPACITY, pictures.heatmap,
                                                                      HEAT_OPACITY, 0.0)
        outlines = tuple(_box(region["bbox"], pictures.scale) for region in entry.regions if "bbox" in region)
        height, width = image.shape[:2]
        return EntryFigure(width, height, encode_jpeg(pictures.image), encode_jpeg(heat), outlines, pictures.scale)

    return figure


def _box(bbox: list[int], scale: float) -> np.ndarray:
    x, y, w, h = (float(v) * scale for v in bbox)
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]], dtype=np.float32)
