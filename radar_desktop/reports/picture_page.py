"""The report's picture pages: per image, its facts, the original, the heatmap overlay and the defect
outline with its numbered regions."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.colors import HexColor, white
from reportlab.lib.utils import ImageReader

from radar_desktop.core.quantities import parts_text, score_text
from radar_desktop.reports.entries import VERDICT_COLOURS, ReportEntry, region_text
from radar_desktop.reports.figures import EntryFigure, FigureSource
from radar_desktop.reports.page_writer import GREY, INK, LIGHT, ReportWriter
from radar_desktop.reports.pdf_text import fit, pdf_text

ENTRIES_PER_PAGE = 3
BLOCK_HEIGHT = 215.0
PANEL_GAP = 10.0
PANEL_HEIGHT = 140.0
REGIONS_LISTED = 5  # on a picture block; the CSV and JSON list all
OUTLINE = HexColor("#00b8d4")


def draw_picture_page(writer: ReportWriter, entries: list[ReportEntry], figures: FigureSource) -> None:
    """Draw one page picturing up to :data:`ENTRIES_PER_PAGE` entries, each with ``figures(entry)``."""
    y = writer.begin_page("Images")
    for entry in entries:
        _entry_block(writer, entry, figures(entry), y)
        y -= BLOCK_HEIGHT
    writer.end_page()


def _entry_block(writer: ReportWriter, entry: ReportEntry, figure: EntryFigure | None, y: float) -> None:
    c, thresholds = writer.canvas, writer.report.session.thresholds
    colour = HexColor(VERDICT_COLOURS[entry.verdict])
    c.setFillColor(colour)
    c.roundRect(writer.right - 56, y - 16, 56, 16, 3, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont("Helvetica-Bold", 9)
    c.drawCentredString(writer.right - 28, y - 11.5, entry.verdict)
    c.setFillColor(INK)
    c.setFont("Helvetica-Bold", 10)
    c.drawString(writer.left, y - 11, fit(pdf_text(f"#{entry.index}  {entry.name}"), "Helvetica-Bold", 10, writer.right - writer.left - 64))
    c.setFont("Helvetica", 8)
    c.setFillColor(GREY)
    facts = (
        f"score {score_text(entry.score)}{f' ({parts_text(entry.parts)})' if entry.parts else ''}   "
        f"(REVIEW > {score_text(thresholds.review)}, NOK > {score_text(thresholds.nok)})   ·   "
        f"inspected {entry.inspected_at.replace('T', ' ')}   ·   {Path(entry.path).parent}"
    )
    c.drawString(writer.left, y - 23, fit(pdf_text(facts), "Helvetica", 8, writer.right - writer.left - 64))
    panel_width = (writer.right - writer.left - 2 * PANEL_GAP) / 3
    top = y - 30
    no_outline = figure is not None and not figure.outlines
    captions = ("Original", "Heatmap overlay", "Defect outline" + (" (none found)" if no_outline else ""))
    for i, caption in enumerate(captions):
        x = writer.left + i * (panel_width + PANEL_GAP)
        c.setFillColor(LIGHT)
        c.rect(x, top - PANEL_HEIGHT, panel_width, PANEL_HEIGHT, stroke=0, fill=1)
        c.setFillColor(GREY)
        c.setFont("Helvetica", 8)
        c.drawCentredString(x + panel_width / 2, top - PANEL_HEIGHT - 10, caption)
        if figure is not None:
            _panel(writer, entry, figure, i, x, top, panel_width)
    if figure is None:
        c.setFillColor(GREY)
        c.drawCentredString(writer.left + (writer.right - writer.left) / 2, top - PANEL_HEIGHT / 2, "picture unavailable")
    c.setFillColor(INK)
    c.setFont("Helvetica", 8)
    measured = _regions_line(entry)
    if measured:
        c.drawString(writer.left, top - PANEL_HEIGHT - 23, fit(pdf_text(measured), "Helvetica", 8, writer.right - writer.left))
    if entry.comment:
        c.setFont("Helvetica-Oblique", 8.5)
        comment = fit(pdf_text(f"Comment: {entry.comment}"), "Helvetica-Oblique", 8.5, writer.right - writer.left)
        c.drawString(writer.left, top - PANEL_HEIGHT - 35, comment)


def _region_numbers(writer: ReportWriter, entry: ReportEntry, scale: float, left: float, top: float) -> None:
    """Each region's number beside its box on the outline panel, as the regions line lists them."""
    c = writer.canvas
    c.setFont("Helvetica-Bold", 7)
    for number, region in enumerate(entry.regions[:REGIONS_LISTED], start=1):
        x, y, w, _ = region["bbox"]
        c.setFillColor(GREY if region.get("ignored") else OUTLINE)
        c.drawString(left + (x + w) * scale + 2, top - y * scale - 6, str(number))


def _panel(writer: ReportWriter, entry: ReportEntry, figure: EntryFigure, which: int, x: float, top: float, panel_width: float) -> None:
    c = writer.canvas
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
    _region_numbers(writer, entry, figure.scale * scale, left, bottom + h)


def _regions_line(entry: ReportEntry) -> str:
    """The numbered regions (largest first, the first few) and what an acceptance rule did."""
    regions = entry.regions
    if not regions:
        return entry.rule
    listed = "   ".join(f"{i}) {region_text(r)}" for i, r in enumerate(regions[:REGIONS_LISTED], start=1))
    more = f"   and {len(regions) - REGIONS_LISTED} more" if len(regions) > REGIONS_LISTED else ""
    line = f"Regions: {listed}{more}"
    return f"{line}   ·   {entry.rule}" if entry.rule else line
