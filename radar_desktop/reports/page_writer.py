"""The canvas every report page draws on: the page frame (running header, footer, page numbers) and the
drawing helpers the cover, table, picture, self-test and drift pages share."""

from __future__ import annotations

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfgen.canvas import Canvas

from radar_desktop.reports.pdf_text import fit, pdf_text, wrap
from radar_desktop.reports.session import Report

MARGIN = 42.0
ROW = 13.0  # a table row
INK = HexColor("#212121")
GREY = HexColor("#616161")
LIGHT = HexColor("#f5f5f5")


class ReportWriter:
    """Draws the pages of one report on one canvas, in order, each in the report's page frame.

    ``size`` is the paper's (width, height) in points; ``pages`` the report's page count, known before
    drawing starts because the layout is fixed-size.
    """

    def __init__(self, canvas: Canvas, report: Report, size: tuple[float, float], pages: int) -> None:
        self.canvas = canvas
        self.report = report
        self.width, self.height = size
        self.pages = pages
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
        return self.width - MARGIN

    @property
    def top(self) -> float:
        return self.height - MARGIN

    @property
    def bottom(self) -> float:
        """Where a page's content ends, above its footer."""
        return MARGIN

    def begin_page(self, title: str) -> float:
        """Start a page with its running header and footer; returns the y where content starts."""
        self.page += 1
        c, report = self.canvas, self.report
        c.setFillColor(GREY)
        c.setFont("Helvetica", 7.5)
        if title:
            c.drawString(self.left, self.top + 8, pdf_text(f"RADAR Desktop inspection report {report.report_id}"))
            c.setFillColor(INK)
            c.setFont("Helvetica-Bold", 13)
            c.drawString(self.left, self.top - 14, title)
        session = report.session
        c.setFillColor(GREY)
        c.setFont("Helvetica", 7.5)
        footer = f"Report {report.report_id}  ·  profile {session.profile_name}  ·  hash {session.profile_hash[:16]}"
        c.drawString(self.left, MARGIN - 18, fit(pdf_text(footer), "Helvetica", 7.5, self.right - self.left - 80))
        c.drawRightString(self.right, MARGIN - 18, f"Page {self.page} of {self.pages}")
        c.setStrokeColor(HexColor("#bdbdbd"))
        c.setLineWidth(0.5)
        c.line(self.left, MARGIN - 8, self.right, MARGIN - 8)
        c.setFillColor(INK)
        return self.top - (30 if title else 0)

    def end_page(self) -> None:
        self.canvas.showPage()

    def paragraph(self, text: str, font: str, size: float, y: float, colour: Color = INK) -> float:
        """``text`` wrapped to the page's width below ``y``; returns the y under its last line."""
        c = self.canvas
        c.setFont(font, size)
        c.setFillColor(colour)
        lines = wrap(pdf_text(text), font, size, self.right - self.left)
        for i, line in enumerate(lines):
            c.drawString(self.left, y - size - (size + 3) * i, line)
        c.setFillColor(INK)
        return y - (size + 3) * len(lines)

    def polyline(self, points: list[tuple[float, float]]) -> None:
        """An open line through ``points`` in the canvas's stroke colour and width."""
        path = self.canvas.beginPath()
        path.moveTo(*points[0])
        for point in points[1:]:
            path.lineTo(*point)
        self.canvas.drawPath(path, stroke=1, fill=0)
