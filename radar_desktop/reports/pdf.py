"""The PDF report: a cover with the summary, a table of every result, then pictures of each image.

Drawn with ReportLab (no Qt, no browser engine), so the headless CLI and the GUI write the same file.
The layout is fixed-size, so page numbers ("page 3 of 40") are known before drawing starts. This module
decides which pages a report has and in what order; each page family draws itself on a
:class:`~radar_desktop.reports.page_writer.ReportWriter`.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen.canvas import Canvas

from radar_desktop.core.atomic import atomic_output
from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.reports.cover_page import draw_cover
from radar_desktop.reports.drift_page import draw_drift_page, has_drift_page
from radar_desktop.reports.entries import ReportEntry
from radar_desktop.reports.figures import FigureSource
from radar_desktop.reports.page_writer import ReportWriter
from radar_desktop.reports.picture_page import ENTRIES_PER_PAGE, draw_picture_page
from radar_desktop.reports.pod_page import draw_selftest_page, has_selftest_page
from radar_desktop.reports.session import Report
from radar_desktop.reports.table_page import draw_table_page, rows_per_page

PAGE_SIZES = {"A4": A4, "Letter": letter}

rl_config.useA85 = 0  # embed JPEGs as binary, not ASCII85 text: a quarter smaller on disk and in memory


@dataclass(frozen=True)
class PdfOptions:
    """Paper size (A4 or Letter) and whether only flagged images (REVIEW, NOK) get picture pages."""

    page_size: str = "A4"
    only_flagged: bool = False

    def __post_init__(self) -> None:
        if self.page_size not in PAGE_SIZES:
            raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}")


def pictured_entries(report: Report, only_flagged: bool) -> list[ReportEntry]:
    """The entries that get pictures: every inspected image, or only the flagged ones."""
    return [e for e in report.entries if e.score is not None and (e.flagged or not only_flagged)]


@dataclass(frozen=True)
class PageLayout:
    """How many pages each part of a report takes on one paper size."""

    width: float
    height: float
    table_rows: int
    table_pages: int
    detail_pages: int
    selftest_pages: int = 0  # the profile's self-test, after the cover
    drift_pages: int = 0  # the profile's score drift, after the self-test

    @classmethod
    def of(cls, report: Report, options: PdfOptions) -> "PageLayout":
        width, height = PAGE_SIZES[options.page_size]
        rows = rows_per_page(height)
        pictured = len(pictured_entries(report, options.only_flagged))
        return cls(
            width,
            height,
            rows,
            math.ceil(len(report.entries) / rows),
            math.ceil(pictured / ENTRIES_PER_PAGE),
            int(has_selftest_page(report.session.selftest)),
            int(has_drift_page(report.session.drift)),
        )

    @property
    def pages(self) -> int:
        return self.first_table_page - 1 + self.table_pages + self.detail_pages

    @property
    def first_table_page(self) -> int:
        return 2 + self.selftest_pages + self.drift_pages

    def detail_page_of(self, position: int) -> int:
        """Page number (from 1) that pictures the ``position``-th pictured entry (from 0)."""
        return self.first_table_page + self.table_pages + position // ENTRIES_PER_PAGE

    def picture_pages(self, pictured: list[ReportEntry]) -> dict[int, int]:
        """The page that pictures each of the ``pictured`` entries, by the entry's index."""
        return {entry.index: self.detail_page_of(i) for i, entry in enumerate(pictured)}


def render_report(
    report: Report,
    figures: FigureSource,
    path: Path,
    options: PdfOptions = PdfOptions(),
    *,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> int:
    """Write the PDF atomically and return its page count; ``figures`` supplies each pictured entry's pictures."""
    cancel = cancel or CancelToken()
    with atomic_output(path) as temp:
        writer, layout, pictured = _cover(str(temp), report, options)
        if layout.selftest_pages:
            draw_selftest_page(writer)
        if layout.drift_pages:
            draw_drift_page(writer)
        picture_pages = layout.picture_pages(pictured)
        for first in range(0, len(report.entries), layout.table_rows):
            cancel.raise_if_cancelled()
            draw_table_page(writer, report.entries[first : first + layout.table_rows], picture_pages)
            progress(writer.page / layout.pages, f"page {writer.page} of {layout.pages}")
        for first in range(0, len(pictured), ENTRIES_PER_PAGE):
            cancel.raise_if_cancelled()
            draw_picture_page(writer, pictured[first : first + ENTRIES_PER_PAGE], figures)
            progress(writer.page / layout.pages, f"page {writer.page} of {layout.pages}")
        writer.canvas.save()
    return layout.pages


def cover_pdf(report: Report, options: PdfOptions = PdfOptions()) -> bytes:
    """The first page alone, as PDF bytes (for previews)."""
    buffer = io.BytesIO()
    writer, _, _ = _cover(buffer, report, options)
    writer.canvas.save()
    return buffer.getvalue()


def _cover(
    target: str | io.BytesIO, report: Report, options: PdfOptions
) -> tuple[ReportWriter, PageLayout, list[ReportEntry]]:
    """A writer of ``report`` into ``target`` (a file name or a buffer) with the cover drawn, the report's
    layout, and the entries it pictures."""
    layout = PageLayout.of(report, options)
    pictured = pictured_entries(report, options.only_flagged)
    canvas = Canvas(target, pagesize=PAGE_SIZES[options.page_size])
    writer = ReportWriter(canvas, report, (layout.width, layout.height), layout.pages)
    draw_cover(writer, _contents_line(layout, report, options, len(pictured)), layout.picture_pages(pictured))
    return writer, layout, pictured


def _contents_line(layout: PageLayout, report: Report, options: PdfOptions, pictured: int) -> str:
    """The cover's list of what is on which pages."""

    def pages(first: int, last: int) -> str:
        return f"Page {first}" if first == last else f"Pages {first}–{last}"

    tables, first = layout.table_pages, layout.first_table_page
    contents = f"{pages(first, first - 1 + tables)}: all {len(report.entries)} results."
    if layout.drift_pages:
        contents = f"Page {first - 1}: score drift (control chart).  {contents}"
    if layout.selftest_pages:
        contents = f"Page 2: detection sensitivity (self-test with synthetic defects).  {contents}"
    what = "flagged (REVIEW or NOK) images" if options.only_flagged else "inspected images"
    if pictured:
        return contents + f"  {pages(first + tables, layout.pages)}: pictures of the {pictured} {what}."
    return contents + f"  No {what} to picture."
