"""Writing a report's files: the PDF, its JSON sidecar and, if asked, the CSV."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.records import ScanOutcome
from radar_desktop.core.regions import OutlineLevels
from radar_desktop.reports.entries import ReportEntry, write_entries_csv
from radar_desktop.reports.figures import EntryFigure, FigureSource, make_figure, outlined
from radar_desktop.reports.pdf import PdfOptions, render_report
from radar_desktop.reports.session import Report, write_report_json
from radar_desktop.sources.images import ImageReadError, read_image


@dataclass(frozen=True)
class ReportFiles:
    """Where a report goes; the JSON sidecar sits beside the PDF with the same name."""

    pdf: Path
    csv: Path | None = None

    @property
    def json(self) -> Path:
        return self.pdf.with_suffix(".json")

    def written(self) -> list[Path]:
        return [p for p in (self.pdf, self.json, self.csv) if p is not None]


def export_report(
    report: Report,
    figures: FigureSource,
    files: ReportFiles,
    options: PdfOptions = PdfOptions(),
    *,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> int:
    """Write every file of the report (each atomically); returns the PDF's page count."""
    pages = render_report(report, figures, files.pdf, options, cancel=cancel, progress=progress)
    pdf = {"file": files.pdf.name, "pages": pages, "page_size": options.page_size, "only_flagged": options.only_flagged}
    write_report_json(report, files.json, pdf=pdf)
    if files.csv is not None:
        write_entries_csv(list(report.entries), files.csv)
    return pages


def figures_from_outcomes(
    outcomes: Mapping[int, ScanOutcome],
    map_range: tuple[float, float],
    outline: OutlineLevels,
    channels: int,
) -> FigureSource:
    """Pictures made on demand (one page at a time) from each entry's outcome and its image file.

    An image that can no longer be read (moved, deleted) gets no picture; the report says so.
    """

    def figure(entry: ReportEntry) -> EntryFigure | None:
        outcome = outcomes.get(entry.index)
        if outcome is None or outcome.result is None:
            return None
        try:
            image = read_image(outcome.path, channels)
        except ImageReadError:
            return None
        return make_figure(image, outcome.result.anomaly_map, map_range, outlined(outcome.result, outline))

    return figure
