"""The report page of the profile's detection-probability self-test: POD curves, a90 table, and the caveat.

The fits are redone from the self-test's stored raw scores at the NOK threshold of the report's session, so
the page holds for the thresholds the images were judged with. The defects were synthetic: the page says
that it shows the sensitivity to those, not to the product's real defects.
"""

from __future__ import annotations

import math

import numpy as np
from reportlab.lib.colors import HexColor

from radar_desktop.core.pod import (
    METHOD_NOTE,
    SHAPE_COLOURS,
    SHAPE_LABELS,
    SYNTHETIC_NOTE,
    PodFit,
    plot_span,
    pod_curve,
    record_fits,
)
from radar_desktop.core.quantities import readable, score_text
from radar_desktop.reports.page_writer import GREY, INK, ReportWriter
from radar_desktop.reports.pdf_text import fit as fit_text
from radar_desktop.reports.pdf_text import pdf_text, wrap

TITLE = "Detection sensitivity (self-test)"
GRID = HexColor("#e0e0e0")
PLOT_HEIGHT = 280.0


def has_selftest_page(selftest: dict) -> bool:
    """Whether a report gets the self-test page: the profile holds a self-test."""
    return bool(selftest)


def draw_selftest_page(writer: ReportWriter) -> None:
    """Draw the self-test page on the writer's canvas (one page, between its cover and its tables)."""
    c = writer.canvas
    record, nok = writer.report.session.selftest, writer.report.session.thresholds.nok
    y = writer.begin_page(TITLE)
    try:
        fits = record_fits(record, nok)
    except (KeyError, TypeError, ValueError):
        fits = {}
    if not fits:
        c.setFont("Helvetica", 10)
        c.drawString(writer.left, y - 14, "The profile's self-test record could not be read.")
        writer.end_page()
        return
    mm = record.get("mm_per_pixel")
    scores = record.get("scores", {})
    y = writer.paragraph(_intro(record, scores, nok), "Helvetica", 9, y - 4)
    y = writer.paragraph(SYNTHETIC_NOTE, "Helvetica-Bold", 9, y - 4)
    y = _plot(writer, fits, mm, y - 12, PLOT_HEIGHT)
    y = _table(writer, fits, mm, y - 14)
    clean = scores.get("clean_scores", [])
    if clean:
        above = sum(float(s) > nok for s in clean)
        lifts = " (a defect pasted into one of those is found whatever its size)" if above else ""
        y = writer.paragraph(
            f"Without a pasted defect, {above} of the {len(clean)} held-back images score above the NOK threshold{lifts}.",
            "Helvetica",
            8.5,
            y - 8,
        )
    writer.paragraph(METHOD_NOTE, "Helvetica", 8, y - 6, GREY)
    writer.end_page()


def _intro(record: dict, scores: dict, nok: float) -> str:
    sizes = [s for shape in scores.get("shapes", {}).values() for s in shape.get("sizes", [])]
    span = f", sizes {readable(min(sizes))} to {readable(max(sizes))} px (diameter or length)" if sizes else ""
    scale = f"; scale {record['mm_per_pixel']:.4g} mm per pixel" if record.get("mm_per_pixel") else ""
    recorded = record.get("nok")
    when = (
        f" (the self-test was recorded at NOK > {score_text(recorded)}; refitted here from its stored scores)"
        if recorded is not None and not math.isclose(recorded, nok, rel_tol=1e-9, abs_tol=1e-12)
        else ""
    )
    return (
        f"Synthetic defects were pasted into {scores.get('images', '?')} held-back good images of the profile: discs and "
        f"thin strokes, {scores.get('contrast', 0.3):g} of the intensity range darker or brighter{span}, "
        f"{scores.get('image_width', '?')} px wide images{scale}. Each was inspected with scorer "
        f"{scores.get('scorer') or '?'} and counted found when its image score exceeds the NOK threshold {score_text(nok)}{when}."
    )


def _plot(writer: ReportWriter, fits: dict[str, PodFit], mm: float | None, y: float, height: float) -> float:
    """POD against size (log axis): fitted curves, dashed lower 95% bounds, hit fractions, a90 and a90/95."""
    c = writer.canvas
    x0, x1 = writer.left + 34, writer.right - 8
    y0, y1 = y - height + 34, y - 6
    low, high = plot_span(fits)

    def sx(size: float) -> float:
        return x0 + (x1 - x0) * (math.log(size) - math.log(low)) / (math.log(high) - math.log(low))

    def sy(pod: float) -> float:
        return y0 + (y1 - y0) * pod

    c.setLineWidth(0.4)
    c.setStrokeColor(GRID)
    c.setFont("Helvetica", 7.5)
    c.setFillColor(INK)
    for pod in (0.0, 0.25, 0.5, 0.75, 1.0):
        c.line(x0, sy(pod), x1, sy(pod))
        c.drawRightString(x0 - 4, sy(pod) - 2.5, f"{pod:.0%}")
    scale = mm or 1.0  # ticks fall on round numbers of the unit shown
    for tick in _log_ticks(low * scale, high * scale):
        c.line(sx(tick / scale), y0, sx(tick / scale), y1)
        c.drawCentredString(sx(tick / scale), y0 - 10, f"{tick:g}")
    c.setStrokeColor(INK)
    c.setLineWidth(0.7)
    c.line(x0, y0, x1, y0)
    c.line(x0, y0, x0, y1)
    c.setFillColor(GREY)
    unit = "mm" if mm else "px"
    c.drawCentredString((x0 + x1) / 2, y0 - 22, f"defect size ({unit}: disc diameter or stroke length; log scale)")
    c.saveState()
    c.translate(writer.left + 6, (y0 + y1) / 2)
    c.rotate(90)
    c.drawCentredString(0, 0, "probability of detection")
    c.restoreState()
    c.setDash(4, 2)
    c.setStrokeColor(HexColor("#c62828"))
    c.setLineWidth(0.8)
    c.line(x0, sy(0.9), x1, sy(0.9))
    c.setDash()
    c.setFillColor(HexColor("#c62828"))
    c.drawString(x0 + 3, sy(0.9) + 3, "90%")
    grid = np.geomspace(low, high, 200)
    for name, fit in fits.items():
        colour = HexColor(SHAPE_COLOURS.get(name, "#424242"))
        c.setStrokeColor(colour)
        c.setFillColor(colour)
        pod, lower = pod_curve(fit, grid)
        if np.isfinite(pod).all():
            c.setLineWidth(1.4)
            writer.polyline([(sx(s), sy(p)) for s, p in zip(grid, pod)])
            c.setLineWidth(0.7)
            c.setDash(2, 2)
            writer.polyline([(sx(s), sy(p)) for s, p in zip(grid, lower)])
            c.setDash()
        levels, fractions, _ = fit.hit_fractions()
        for size, fraction in zip(levels, fractions):
            c.circle(sx(size), sy(fraction), 2.0, stroke=0, fill=1)
        if fit.status == "fitted" and low <= fit.a90 <= high:
            c.setLineWidth(0.6)
            c.line(sx(fit.a90), y0, sx(fit.a90), sy(0.9))
            c.circle(sx(fit.a90), sy(0.9), 3.2, stroke=1, fill=1)
        if fit.a90_95 is not None and low <= fit.a90_95 <= high:
            _diamond(c, sx(fit.a90_95), sy(0.9), 3.6, colour)
    return _legend(writer, fits, y0 - 40)


def _legend(writer: ReportWriter, fits: dict[str, PodFit], y: float) -> float:
    c = writer.canvas
    c.setFont("Helvetica", 8)
    x = writer.left + 34
    for name in fits:
        colour = HexColor(SHAPE_COLOURS.get(name, "#424242"))
        c.setStrokeColor(colour)
        c.setFillColor(colour)
        c.setLineWidth(1.4)
        c.line(x, y + 3, x + 16, y + 3)
        c.setFillColor(INK)
        label = SHAPE_LABELS.get(name, name)
        c.drawString(x + 20, y, label)
        x += 20 + c.stringWidth(label, "Helvetica", 8) + 14
    c.setStrokeColor(GREY)
    c.setFillColor(GREY)
    y -= 13
    x = writer.left + 34
    c.setLineWidth(0.7)
    c.setDash(2, 2)
    c.line(x, y + 3, x + 16, y + 3)
    c.setDash()
    bound, dots = "95% lower confidence bound", "fraction found at each size"
    c.drawString(x + 20, y, bound)
    x += 20 + c.stringWidth(bound, "Helvetica", 8) + 14
    c.circle(x + 3, y + 3, 2.0, stroke=0, fill=1)
    c.drawString(x + 10, y, dots)
    x += 10 + c.stringWidth(dots, "Helvetica", 8) + 14
    c.circle(x + 3, y + 3, 3.2, stroke=1, fill=1)
    c.drawString(x + 10, y, "a90")
    x += 10 + c.stringWidth("a90", "Helvetica", 8) + 14
    _diamond(c, x + 3, y + 3, 3.6, GREY)
    c.drawString(x + 10, y, "a90/95")
    return y - 6


def _table(writer: ReportWriter, fits: dict[str, PodFit], mm: float | None, y: float) -> float:
    c = writer.canvas
    columns = [("Defect", 80), ("Result", 62), ("a50", 62), ("a90", 72), ("a90/95", 62)]
    if mm:
        columns += [("a90 (mm)", 60), ("a90/95 (mm)", 64)]
    columns += [("Found", 46)]
    xs = [writer.left]
    for _, width in columns:
        xs.append(xs[-1] + width)
    c.setFont("Helvetica-Bold", 8.5)
    c.setFillColor(INK)
    for (label, width), x in zip(columns, xs):
        c.drawString(x + 2, y - 10, label)
    y -= 14
    c.setStrokeColor(HexColor("#9e9e9e"))
    c.setLineWidth(0.5)
    c.line(writer.left, y, xs[-1], y)
    c.setFont("Helvetica", 8.5)
    for name, fit in fits.items():
        px = fit.cells()
        cells = [SHAPE_LABELS.get(name, name), fit.status, px["a50"], px["a90"], px["a90/95"]]
        if mm:
            scaled = fit.cells(mm)
            cells += [scaled["a90"], scaled["a90/95"]]
        cells.append(f"{fit.found} of {fit.samples}")
        c.setFillColor(HexColor(SHAPE_COLOURS.get(name, "#424242")))
        c.rect(xs[0] - 1, y - 10.5, 3, 9, stroke=0, fill=1)
        c.setFillColor(INK)
        for (_, width), x, text in zip(columns, xs, cells):
            c.drawString(x + 4, y - 9.5, fit_text(pdf_text(text), "Helvetica", 8.5, width - 6))
        y -= 13
    c.setFont("Helvetica", 7.5)
    c.setFillColor(GREY)
    note = (
        "a50, a90: sizes found with 50% and 90% probability; a90/95: the size found with 90% probability at 95% "
        "confidence. '<=' marks a bound where no curve can be fitted (every defect found, or found and missed "
        "separated by size); '*': beyond the largest size tried, so extrapolated; 'not reached': the 95% bound stays "
        "below 90% up to 100 times the largest size."
    )
    lines = wrap(note, "Helvetica", 7.5, writer.right - writer.left)
    for i, line in enumerate(lines):
        c.drawString(writer.left, y - 10 - 9.5 * i, line)
    c.setFillColor(INK)
    return y - 4 - 9.5 * len(lines)


def _log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks between ``low`` and ``high``."""
    ticks = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in (1, 2, 5):
            value = mantissa * 10.0**exponent
            if low <= value <= high:
                ticks.append(value)
    return ticks


def _diamond(c, x: float, y: float, r: float, colour) -> None:
    """An open diamond (the a90/95 mark) outlined in ``colour``."""
    path = c.beginPath()
    path.moveTo(x, y + r)
    path.lineTo(x + r, y)
    path.lineTo(x, y - r)
    path.lineTo(x - r, y)
    path.close()
    c.setStrokeColor(colour)
    c.setLineWidth(1.0)
    c.setFillColor(HexColor("#ffffff"))
    c.drawPath(path, stroke=1, fill=1)
    c.setFillColor(colour)
