"""The PDF report: a cover with the summary, a table of every result, then pictures of each image.

Drawn with ReportLab (no Qt, no browser engine), so the headless CLI and the GUI write the same file.
The layout is fixed-size, so page numbers ("page 3 of 40") are known before drawing starts.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from radar_desktop.core.acceptance import AcceptanceRules
from radar_desktop.core.atomic import atomic_output
from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.quantities import parts_text, score_text
from radar_desktop.reports.drift_page import draw_drift_page, has_drift_page
from radar_desktop.reports.entries import VERDICT_COLOURS, ReportEntry, region_text
from radar_desktop.reports.figures import EntryFigure
from radar_desktop.reports.pdf_text import fit, pdf_text, wrap
from radar_desktop.reports.pod_page import draw_selftest_page, has_selftest_page
from radar_desktop.reports.session import Report

PAGE_SIZES = {"A4": A4, "Letter": letter}
MARGIN = 42.0
ROW = 13.0
NOTE_SMALL = 5.8  # two lines of it fit in one row
PANEL_GAP = 10.0
PANEL_HEIGHT = 140.0
BLOCK_HEIGHT = 215.0
ENTRIES_PER_DETAIL_PAGE = 3
REGIONS_LISTED = 5  # on a picture block; the CSV and JSON list all
ZONE_TINTS = {"OK": "#e8f5e9", "REVIEW": "#fff3e0", "NOK": "#ffebee"}
GREY = HexColor("#616161")
LIGHT = HexColor("#f5f5f5")
OUTLINE = HexColor("#00b8d4")
FigureSource = Callable[[ReportEntry], EntryFigure | None]

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
        rows = int((height - 2 * MARGIN - 60) // ROW)
        pictured = len(pictured_entries(report, options.only_flagged))
        return cls(
            width,
            height,
            rows,
            math.ceil(len(report.entries) / rows),
            math.ceil(pictured / ENTRIES_PER_DETAIL_PAGE),
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
        return self.first_table_page + self.table_pages + position // ENTRIES_PER_DETAIL_PAGE


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
        writer = _ReportWriter(Canvas(str(temp), pagesize=PAGE_SIZES[options.page_size]), report, options)
        writer.write(figures, cancel, progress)
    return writer.layout.pages


def cover_pdf(report: Report, options: PdfOptions = PdfOptions()) -> bytes:
    """The first page alone, as PDF bytes (for previews)."""
    buffer = io.BytesIO()
    writer = _ReportWriter(Canvas(buffer, pagesize=PAGE_SIZES[options.page_size]), report, options)
    writer.cover()
    writer.canvas.save()
    return buffer.getvalue()


class _ReportWriter:
    """Draws the pages of one report on one canvas, in order."""

    def __init__(self, canvas: Canvas, report: Report, options: PdfOptions) -> None:
        self.canvas = canvas
        self.report = report
        self.options = options
        self.layout = PageLayout.of(report, options)
        self.pictured = pictured_entries(report, options.only_flagged)
        self.picture_page = {entry.index: self.layout.detail_page_of(i) for i, entry in enumerate(self.pictured)}
        self.page = 0
        session = report.session
        canvas.setTitle(pdf_text(f"Inspection report {report.report_id}"))
        canvas.setAuthor(pdf_text(session.operator))
        canvas.setSubject(pdf_text(f"Profile {session.profile_name} ({session.profile_hash})"))
        canvas.setCreator(f"RADAR Desktop {session.software_version}")

    @property
    def left(self) -> float:
        return MARGIN

    @property
    def right(self) -> float:
        return self.layout.width - MARGIN

    @property
    def top(self) -> float:
        return self.layout.height - MARGIN

    def write(self, figures: FigureSource, cancel: CancelToken, progress: ProgressFn) -> None:
        self.cover()
        if self.layout.selftest_pages:
            draw_selftest_page(self)
        if self.layout.drift_pages:
            draw_drift_page(self)
        for first in range(0, len(self.report.entries), self.layout.table_rows):
            cancel.raise_if_cancelled()
            self.table_page(first)
            progress(self.page / self.layout.pages, f"page {self.page} of {self.layout.pages}")
        for first in range(0, len(self.pictured), ENTRIES_PER_DETAIL_PAGE):
            cancel.raise_if_cancelled()
            self.detail_page(self.pictured[first : first + ENTRIES_PER_DETAIL_PAGE], figures)
            progress(self.page / self.layout.pages, f"page {self.page} of {self.layout.pages}")
        self.canvas.save()

    # ----- page furniture
    def _begin_page(self, title: str) -> float:
        """Start a page with its running header and footer; returns the y where content starts."""
        self.page += 1
        c, report = self.canvas, self.report
        c.setFillColor(GREY)
        c.setFont("Helvetica", 7.5)
        if title:
            c.drawString(self.left, self.top + 8, pdf_text(f"RADAR Desktop inspection report {report.report_id}"))
            c.setFillColor(HexColor("#212121"))
            c.setFont("Helvetica-Bold", 13)
            c.drawString(self.left, self.top - 14, title)
        session = report.session
        c.setFillColor(GREY)
        c.setFont("Helvetica", 7.5)
        footer = f"Report {report.report_id}  ·  profile {session.profile_name}  ·  hash {session.profile_hash[:16]}"
        c.drawString(self.left, MARGIN - 18, fit(pdf_text(footer), "Helvetica", 7.5, self.right - self.left - 80))
        c.drawRightString(self.right, MARGIN - 18, f"Page {self.page} of {self.layout.pages}")
        c.setStrokeColor(HexColor("#bdbdbd"))
        c.setLineWidth(0.5)
        c.line(self.left, MARGIN - 8, self.right, MARGIN - 8)
        c.setFillColor(HexColor("#212121"))
        return self.top - (30 if title else 0)

    def _end_page(self) -> None:
        self.canvas.showPage()

    # ----- cover
    def cover(self) -> None:
        c, report, session = self.canvas, self.report, self.report.session
        y = self._begin_page("")
        c.setFont("Helvetica-Bold", 20)
        c.drawString(self.left, y - 20, "Inspection report")
        c.setFont("Helvetica", 10)
        c.setFillColor(GREY)
        c.drawString(self.left, y - 36, f"{report.report_id}   ·   {report.created.replace('T', ' ')}")
        y = self._verdict_boxes(y - 56)
        model = session.model
        thresholds = session.thresholds
        rows = [
            ("Operator", session.operator),
            ("Station", session.station),
            ("Software", f"RADAR Desktop {session.software_version}"),
            ("Images from", session.source),
            ("Profile", session.profile_name),
            ("Profile hash", session.profile_hash),
            ("Scorer", session.scorer_text),
            ("Device", session.device),
            ("Model", _model_line(model)),
            ("Thresholds", session.thresholds_text),
            *(("False rejects" if i == 0 else "", text) for i, text in enumerate(session.promise)),
            *inspection_rows(session.inspection),
        ]
        y = self._key_values(rows, y - 16)
        stats = report.summary.statistics
        line = "   ".join(f"{k} {score_text(v)}" if k != "images scored" else f"{v} scored" for k, v in stats.items())
        y = self._key_values([("Scores", line)], y - 6)
        if report.summary.histogram_counts:
            y = self._histogram(y - 18, 190)
        c.setFont("Helvetica", 9)
        c.setFillColor(HexColor("#212121"))
        for i, text in enumerate(wrap(self._contents_line(), "Helvetica", 9, self.right - self.left)):
            c.drawString(self.left, y - 16 - 12 * i, text)
        self._attention_list(y - 46)
        self._end_page()

    def _contents_line(self) -> str:
        def pages(first: int, last: int) -> str:
            return f"Page {first}" if first == last else f"Pages {first}–{last}"

        tables, first = self.layout.table_pages, self.layout.first_table_page
        contents = f"{pages(first, first - 1 + tables)}: all {len(self.report.entries)} results."
        if self.layout.drift_pages:
            contents = f"Page {first - 1}: score drift (control chart).  {contents}"
        if self.layout.selftest_pages:
            contents = f"Page 2: detection sensitivity (self-test with synthetic defects).  {contents}"
        what = "flagged (REVIEW or NOK) images" if self.options.only_flagged else "inspected images"
        if self.pictured:
            return contents + f"  {pages(first + tables, self.layout.pages)}: pictures of the {len(self.pictured)} {what}."
        return contents + f"  No {what} to picture."

    def _attention_list(self, y: float) -> None:
        """Flagged and unreadable files, as many as the cover has room for."""
        c = self.canvas
        needing = [e for e in self.report.entries if e.verdict != "OK"]
        if not needing:
            return
        c.setFont("Helvetica-Bold", 10)
        c.drawString(self.left, y - 8, "Needs attention")
        room = int((y - 22 - MARGIN) // ROW)
        shown = needing if len(needing) <= room else needing[: room - 1]
        pages = self.picture_page
        for row, entry in enumerate(shown):
            top = y - 16 - row * ROW
            c.setFont("Helvetica-Bold", 8)
            c.setFillColor(HexColor(VERDICT_COLOURS[entry.verdict]))
            c.drawString(self.left, top - 9.5, entry.verdict)
            c.setFont("Helvetica", 8)
            c.setFillColor(HexColor("#212121"))
            where = f"p. {pages[entry.index]}" if entry.index in pages else ""
            detail = entry.message if entry.score is None else f"score {score_text(entry.score)}"
            c.drawString(self.left + 52, top - 9.5, fit(pdf_text(f"#{entry.index}  {entry.name}"), "Helvetica", 8, 200))
            c.drawString(self.left + 260, top - 9.5, fit(pdf_text(detail), "Helvetica", 8, self.right - self.left - 300, keep_end=False))
            c.drawRightString(self.right, top - 9.5, where)
        if len(shown) < len(needing):
            c.setFillColor(GREY)
            c.drawString(self.left + 52, y - 16 - len(shown) * ROW - 9.5, f"… and {len(needing) - len(shown)} more: see the results table")

    def _verdict_boxes(self, y: float) -> float:
        c, summary = self.canvas, self.report.summary
        boxes = [("OK", "OK"), ("REVIEW", "REVIEW"), ("NOK", "NOK"), ("UNREADABLE", "ERROR"), ("TOTAL", "")]
        width = (self.right - self.left - 4 * 8) / len(boxes)
        for i, (label, verdict) in enumerate(boxes):
            x = self.left + i * (width + 8)
            colour = HexColor(VERDICT_COLOURS.get(verdict, "#212121"))
            count = summary.counts[verdict] if verdict else summary.total
            c.setFillColor(LIGHT)
            c.setStrokeColor(colour)
            c.setLineWidth(1.2)
            c.roundRect(x, y - 48, width, 48, 4, stroke=1, fill=1)
            c.setFillColor(colour)
            c.setFont("Helvetica-Bold", 20)
            c.drawCentredString(x + width / 2, y - 28, str(count))
            c.setFont("Helvetica", 8)
            c.drawCentredString(x + width / 2, y - 42, label)
        return y - 48

    def _key_values(self, rows: list[tuple[str, str]], y: float) -> float:
        c = self.canvas
        key_width = 78
        for key, value in rows:
            c.setFillColor(GREY)
            c.setFont("Helvetica", 9)
            c.drawString(self.left, y - 11, key)
            c.setFillColor(HexColor("#212121"))
            font = "Courier" if key == "Profile hash" else "Helvetica"
            lines = wrap(pdf_text(value), font, 9, self.right - self.left - key_width)[:3]
            c.setFont(font, 9)
            for i, text in enumerate(lines):
                c.drawString(self.left + key_width, y - 11 - 12 * i, text)
            y -= 12 * len(lines) + 3
        return y

    def _histogram(self, y: float, height: float) -> float:
        """Score histogram with the OK / REVIEW / NOK bands and both thresholds."""
        c, summary, thresholds = self.canvas, self.report.summary, self.report.session.thresholds
        edges, counts = summary.histogram_edges, summary.histogram_counts
        x0, x1 = self.left + 30, self.right - 4
        y0, y1 = y - height + 28, y - 16
        low, high = edges[0], edges[-1]
        peak = max(max(counts), 1)

        def sx(value: float) -> float:
            return x0 + (x1 - x0) * (value - low) / (high - low)

        c.setFont("Helvetica-Bold", 10)
        c.drawString(self.left, y - 8, "Score distribution")
        bands = [("OK", low, thresholds.review), ("REVIEW", thresholds.review, thresholds.nok), ("NOK", thresholds.nok, high)]
        for label, start, end in bands:
            start, end = max(start, low), min(end, high)
            if end > start:
                c.setFillColor(HexColor(ZONE_TINTS[label]))
                c.rect(sx(start), y0, sx(end) - sx(start), y1 - y0, stroke=0, fill=1)
        c.setFillColor(HexColor("#546e7a"))
        for left_edge, right_edge, count in zip(edges[:-1], edges[1:], counts):
            if count:
                c.rect(sx(left_edge) + 0.5, y0, sx(right_edge) - sx(left_edge) - 1, (y1 - y0) * count / peak, stroke=0, fill=1)
        c.setStrokeColor(HexColor("#212121"))
        c.setLineWidth(0.6)
        c.line(x0, y0, x1, y0)
        c.line(x0, y0, x0, y1)
        c.setFont("Helvetica", 7.5)
        c.setFillColor(HexColor("#212121"))
        for i in range(5):
            value = low + (high - low) * i / 4
            c.drawCentredString(sx(value), y0 - 10, f"{value:.3g}")
        c.drawRightString(x0 - 4, y1 - 3, str(peak))
        c.drawRightString(x0 - 4, y0, "0")
        c.setDash(3, 2)
        for label, value in (("REVIEW", thresholds.review), ("NOK", thresholds.nok)):
            colour = HexColor(VERDICT_COLOURS[label])
            c.setStrokeColor(colour)
            c.setLineWidth(1.2)
            c.line(sx(value), y0, sx(value), y1)
            c.setFillColor(colour)
            anchor = c.drawRightString if label == "REVIEW" else c.drawString
            anchor(sx(value) + (-3 if label == "REVIEW" else 3), y1 - 8, f"{label} > {score_text(value)}")
        c.setDash()
        c.setFillColor(GREY)
        c.drawCentredString((x0 + x1) / 2, y0 - 21, "image score (number of images per bin; shaded: OK, REVIEW, NOK ranges)")
        return y - height

    # ----- results table
    def table_page(self, first: int) -> None:
        c = self.canvas
        entries = self.report.entries[first : first + self.layout.table_rows]
        y = self._begin_page("All results")
        pages = self.picture_page
        columns = [("#", 26), ("Name", 150), ("Inspected", 82), ("Score", 44), ("Verdict", 44), ("Page", 28)]
        xs = [self.left]
        for _, width in columns:
            xs.append(xs[-1] + width)
        note_width = self.right - xs[-1]
        c.setFont("Helvetica-Bold", 8)
        for (label, _), x in zip(columns, xs):
            c.drawString(x + 2, y - 10, label)
        c.drawString(xs[-1] + 2, y - 10, "Message / comment")
        y -= 14
        c.setLineWidth(0.5)
        c.setStrokeColor(HexColor("#9e9e9e"))
        c.line(self.left, y, self.right, y)
        for row, entry in enumerate(entries):
            top = y - row * ROW
            if row % 2:
                c.setFillColor(LIGHT)
                c.rect(self.left, top - ROW, self.right - self.left, ROW, stroke=0, fill=1)
            c.setFillColor(HexColor("#212121"))
            c.setFont("Helvetica", 8)
            score = "" if entry.score is None else f"{score_text(entry.score)}"
            cells = [str(entry.index), entry.name, entry.inspected_at.replace("T", " ")[:19], score, "", str(pages.get(entry.index, ""))]
            for (_, width), x, text in zip(columns, xs, cells):
                c.drawString(x + 2, top - 9.5, fit(pdf_text(text), "Helvetica", 8, width - 4))
            c.setFillColor(HexColor(VERDICT_COLOURS[entry.verdict]))
            c.setFont("Helvetica-Bold", 8)
            c.drawString(xs[4] + 2, top - 9.5, entry.verdict)
            c.setFillColor(GREY)
            self._note_cell(pdf_text(_note(entry)), xs[-1] + 2, top, note_width - 4)
        self._end_page()

    def _note_cell(self, text: str, x: float, top: float, width: float) -> None:
        """A message or comment in one table row: one line at the table's size, or two smaller lines
        when it is longer (a reason for an unreadable file should be read whole), cut only beyond that."""
        c = self.canvas
        if stringWidth(text, "Helvetica", 8) <= width:
            c.setFont("Helvetica", 8)
            c.drawString(x, top - 9.5, text)
            return
        lines = wrap(text, "Helvetica", NOTE_SMALL, width)
        if len(lines) > 2:
            lines = [lines[0], fit(" ".join(lines[1:]), "Helvetica", NOTE_SMALL, width, keep_end=False)]
        c.setFont("Helvetica", NOTE_SMALL)
        for i, line in enumerate(lines):
            c.drawString(x, top - 5.2 - 5.9 * i, line)

    # ----- pictures
    def detail_page(self, entries: list[ReportEntry], figures: FigureSource) -> None:
        y = self._begin_page("Images")
        for entry in entries:
            self._entry_block(entry, figures(entry), y)
            y -= BLOCK_HEIGHT
        self._end_page()

    def _entry_block(self, entry: ReportEntry, figure: EntryFigure | None, y: float) -> None:
        c, thresholds = self.canvas, self.report.session.thresholds
        colour = HexColor(VERDICT_COLOURS[entry.verdict])
        c.setFillColor(colour)
        c.roundRect(self.right - 56, y - 16, 56, 16, 3, stroke=0, fill=1)
        c.setFillColor(white)
        c.setFont("Helvetica-Bold", 9)
        c.drawCentredString(self.right - 28, y - 11.5, entry.verdict)
        c.setFillColor(HexColor("#212121"))
        c.setFont("Helvetica-Bold", 10)
        c.drawString(self.left, y - 11, fit(pdf_text(f"#{entry.index}  {entry.name}"), "Helvetica-Bold", 10, self.right - self.left - 64))
        c.setFont("Helvetica", 8)
        c.setFillColor(GREY)
        facts = (
            f"score {score_text(entry.score)}{f' ({parts_text(entry.parts)})' if entry.parts else ''}   "
            f"(REVIEW > {score_text(thresholds.review)}, NOK > {score_text(thresholds.nok)})   ·   "
            f"inspected {entry.inspected_at.replace('T', ' ')}   ·   {Path(entry.path).parent}"
        )
        c.drawString(self.left, y - 23, fit(pdf_text(facts), "Helvetica", 8, self.right - self.left - 64))
        panel_width = (self.right - self.left - 2 * PANEL_GAP) / 3
        top = y - 30
        no_outline = figure is not None and not figure.outlines
        captions = ("Original", "Heatmap overlay", "Defect outline" + (" (none found)" if no_outline else ""))
        for i, caption in enumerate(captions):
            x = self.left + i * (panel_width + PANEL_GAP)
            c.setFillColor(LIGHT)
            c.rect(x, top - PANEL_HEIGHT, panel_width, PANEL_HEIGHT, stroke=0, fill=1)
            c.setFillColor(GREY)
            c.setFont("Helvetica", 8)
            c.drawCentredString(x + panel_width / 2, top - PANEL_HEIGHT - 10, caption)
            if figure is not None:
                self._panel(entry, figure, i, x, top, panel_width)
        if figure is None:
            c.setFillColor(GREY)
            c.drawCentredString(self.left + (self.right - self.left) / 2, top - PANEL_HEIGHT / 2, "picture unavailable")
        c.setFillColor(HexColor("#212121"))
        c.setFont("Helvetica", 8)
        measured = _regions_line(entry)
        if measured:
            c.drawString(self.left, top - PANEL_HEIGHT - 23, fit(pdf_text(measured), "Helvetica", 8, self.right - self.left))
        if entry.comment:
            c.setFont("Helvetica-Oblique", 8.5)
            c.drawString(self.left, top - PANEL_HEIGHT - 35, fit(pdf_text(f"Comment: {entry.comment}"), "Helvetica-Oblique", 8.5, self.right - self.left))

    def _region_numbers(self, entry: ReportEntry, scale: float, left: float, top: float) -> None:
        """Each region's number beside its box on the outline panel, as the regions line lists them."""
        c = self.canvas
        c.setFont("Helvetica-Bold", 7)
        for number, region in enumerate(entry.regions[:REGIONS_LISTED], start=1):
            x, y, w, _ = region["bbox"]
            c.setFillColor(GREY if region.get("ignored") else OUTLINE)
            c.drawString(left + (x + w) * scale + 2, top - y * scale - 6, str(number))

    def _panel(self, entry: ReportEntry, figure: EntryFigure, which: int, x: float, top: float, panel_width: float) -> None:
        c = self.canvas
        scale = min(panel_width / figure.width, PANEL_HEIGHT / figure.height)
        w, h = figure.width * scale, figure.height * scale
        left, bottom = x + (panel_width - w) / 2, top - PANEL_HEIGHT + (PANEL_HEIGHT - h) / 2
        data = figure.overlay_jpeg if which == 1 else figure.original_jpeg
        c.drawImage(ImageReader(io.BytesIO(data)), left, bottom, w, h)
        if which != 2:
            return
        for colour, width in ((HexColor("#000000"), 2.4), (OUTLINE, 1.1)):  # dark halo: visible on light parts too
            c.setStrokeColor(colour)
            c.setLineWidth(width)
            for outline in figure.outlines:
                path = c.beginPath()
                points = [(left + px * scale, bottom + h - py * scale) for px, py in outline]
                path.moveTo(*points[0])
                for point in points[1:]:
                    path.lineTo(*point)
                path.close()
                c.drawPath(path, stroke=1, fill=0)
        self._region_numbers(entry, figure.scale * scale, left, bottom + h)


def _model_line(model: dict) -> str:
    if not model:
        return "–"
    colour = "colour" if model.get("channels") == 3 else "grayscale"
    step = f"noise step t = {model.get('inference_t')} of {model.get('num_train_timesteps')}" + (
        f" (trained on t < {model['train_t_max']})" if model.get("train_t_max") else ""
    )
    if model.get("space") == "encoder":
        blocks = ", ".join(str(b) for b in model.get("encoder_blocks", []))
        return (
            f"{model.get('image_size')} px {colour} ({model.get('resize_mode')}), features of {model.get('encoder')} "
            f"(ImageNet weights SHA-256 {str(model.get('encoder_weights_sha256', ''))[:16]}..., blocks {blocks}), "
            f"feature denoiser width {model.get('denoiser_width')}, {step}"
        )
    return (
        f"{model.get('image_size')} px {colour} ({model.get('resize_mode')}), patches {model.get('patch_size')} "
        f"every {model.get('stride')} px, {step}"
    )


def inspection_rows(inspection: dict) -> list[tuple[str, str]]:
    """The cover's lines on the profile's scale, acceptance rule and inspection mask."""
    scale = inspection.get("mm_per_pixel")
    return [
        ("Scale", f"{scale:.4g} mm per pixel (region sizes in mm)" if scale else "none (region sizes in pixels)"),
        ("Acceptance rule", AcceptanceRules.from_inspection(inspection).describe()),
        ("Inspection mask", "yes: masked areas are not inspected" if inspection.get("mask") else "none: the whole image is inspected"),
    ]


def _regions_line(entry: ReportEntry) -> str:
    """The numbered regions (largest first, the first few) and what an acceptance rule did."""
    regions = entry.regions
    if not regions:
        return entry.rule
    listed = "   ".join(f"{i}) {region_text(r)}" for i, r in enumerate(regions[:REGIONS_LISTED], start=1))
    more = f"   and {len(regions) - REGIONS_LISTED} more" if len(regions) > REGIONS_LISTED else ""
    line = f"Regions: {listed}{more}"
    return f"{line}   ·   {entry.rule}" if entry.rule else line


def _note(entry: ReportEntry) -> str:
    review = f"reviewed {entry.review}" if entry.review else ""  # the Verdict column keeps the machine's
    return "  ·  ".join(text for text in (review, entry.message, entry.rule, entry.comment) if text)
