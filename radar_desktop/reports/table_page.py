"""The report's results table: one row per file, with the page that pictures it."""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from radar_desktop.core.quantities import score_text
from radar_desktop.reports.entries import VERDICT_COLOURS, ReportEntry
from radar_desktop.reports.page_writer import GREY, INK, LIGHT, MARGIN, ROW, ReportWriter
from radar_desktop.reports.pdf_text import fit, pdf_text, wrap

NOTE_SMALL = 5.8  # two lines of it fit in one row
HEADER = 60.0  # the page's title and the table's column heads


def rows_per_page(height: float) -> int:
    """How many results fit on one table page of paper ``height`` points high."""
    return int((height - 2 * MARGIN - HEADER) // ROW)


def draw_table_page(writer: ReportWriter, entries: tuple[ReportEntry, ...], picture_pages: dict[int, int]) -> None:
    """Draw one page of the results table; ``picture_pages`` maps an entry's index to the page that pictures it."""
    c = writer.canvas
    y = writer.begin_page("All results")
    columns = [("#", 26), ("Name", 150), ("Inspected", 82), ("Score", 44), ("Verdict", 44), ("Page", 28)]
    xs = [writer.left]
    for _, width in columns:
        xs.append(xs[-1] + width)
    note_width = writer.right - xs[-1]
    c.setFont("Helvetica-Bold", 8)
    for (label, _), x in zip(columns, xs):
        c.drawString(x + 2, y - 10, label)
    c.drawString(xs[-1] + 2, y - 10, "Message / comment")
    y -= 14
    c.setLineWidth(0.5)
    c.setStrokeColor(HexColor("#9e9e9e"))
    c.line(writer.left, y, writer.right, y)
    for row, entry in enumerate(entries):
        top = y - row * ROW
        if row % 2:
            c.setFillColor(LIGHT)
            c.rect(writer.left, top - ROW, writer.right - writer.left, ROW, stroke=0, fill=1)
        c.setFillColor(INK)
        c.setFont("Helvetica", 8)
        score = "" if entry.score is None else f"{score_text(entry.score)}"
        page = str(picture_pages.get(entry.index, ""))
        cells = [str(entry.index), entry.name, entry.inspected_at.replace("T", " ")[:19], score, "", page]
        for (_, width), x, text in zip(columns, xs, cells):
            c.drawString(x + 2, top - 9.5, fit(pdf_text(text), "Helvetica", 8, width - 4))
        c.setFillColor(HexColor(VERDICT_COLOURS[entry.verdict]))
        c.setFont("Helvetica-Bold", 8)
        c.drawString(xs[4] + 2, top - 9.5, entry.verdict)
        c.setFillColor(GREY)
        _note_cell(writer, pdf_text(_note(entry)), xs[-1] + 2, top, note_width - 4)
    writer.end_page()


def _note_cell(writer: ReportWriter, text: str, x: float, top: float, width: float) -> None:
    """A message or comment in one table row: one line at the table's size, or two smaller lines
    when it is longer (a reason for an unreadable file should be read whole), cut only beyond that."""
    c = writer.canvas
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


def _note(entry: ReportEntry) -> str:
    review = f"reviewed {entry.review}" if entry.review else ""  # the Verdict column keeps the machine's
    return "  ·  ".join(text for text in (review, entry.message, entry.rule, entry.comment) if text)
