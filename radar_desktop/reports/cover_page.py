"""The report's cover: verdict counts, the session's facts, the score histogram, the contents, and the
images that need attention."""

from __future__ import annotations

from reportlab.lib.colors import HexColor

from radar_desktop.core.acceptance import AcceptanceRules
from radar_desktop.core.quantities import score_text
from radar_desktop.reports.entries import VERDICT_COLOURS
from radar_desktop.reports.page_writer import GREY, INK, LIGHT, ROW, ReportWriter
from radar_desktop.reports.pdf_text import fit, pdf_text, wrap

ZONE_TINTS = {"OK": "#e8f5e9", "REVIEW": "#fff3e0", "NOK": "#ffebee"}


def draw_cover(writer: ReportWriter, contents: str, picture_pages: dict[int, int]) -> None:
    """Draw the cover page; ``contents`` says what the other pages hold, ``picture_pages`` maps an entry's
    index to the page that pictures it."""
    c, report, session = writer.canvas, writer.report, writer.report.session
    y = writer.begin_page("")
    c.setFont("Helvetica-Bold", 20)
    c.drawString(writer.left, y - 20, "Inspection report")
    c.setFont("Helvetica", 10)
    c.setFillColor(GREY)
    c.drawString(writer.left, y - 36, f"{report.report_id}   ·   {report.created.replace('T', ' ')}")
    y = _verdict_boxes(writer, y - 56)
    rows = [
        ("Operator", session.operator),
        ("Station", session.station),
        ("Software", f"RADAR Desktop {session.software_version}"),
        ("Images from", session.source),
        ("Profile", session.profile_name),
        ("Profile hash", session.profile_hash),
        ("Scorer", session.scorer_text),
        ("Device", session.device),
        ("Model", _model_line(session.model)),
        ("Thresholds", session.thresholds_text),
        *(("False rejects" if i == 0 else "", text) for i, text in enumerate(session.promise)),
        *inspection_rows(session.inspection),
    ]
    y = _key_values(writer, rows, y - 16)
    stats = report.summary.statistics
    line = "   ".join(f"{k} {score_text(v)}" if k != "images scored" else f"{v} scored" for k, v in stats.items())
    y = _key_values(writer, [("Scores", line)], y - 6)
    if report.summary.histogram_counts:
        y = _histogram(writer, y - 18, 190)
    c.setFont("Helvetica", 9)
    c.setFillColor(INK)
    for i, text in enumerate(wrap(contents, "Helvetica", 9, writer.right - writer.left)):
        c.drawString(writer.left, y - 16 - 12 * i, text)
    _attention_list(writer, picture_pages, y - 46)
    writer.end_page()


def _attention_list(writer: ReportWriter, picture_pages: dict[int, int], y: float) -> None:
    """Flagged and unreadable files, as many as the cover has room for."""
    c = writer.canvas
    needing = [e for e in writer.report.entries if e.verdict != "OK"]
    if not needing:
        return
    c.setFont("Helvetica-Bold", 10)
    c.drawString(writer.left, y - 8, "Needs attention")
    room = int((y - 22 - writer.bottom) // ROW)
    shown = needing if len(needing) <= room else needing[: room - 1]
    for row, entry in enumerate(shown):
        top = y - 16 - row * ROW
        c.setFont("Helvetica-Bold", 8)
        c.setFillColor(HexColor(VERDICT_COLOURS[entry.verdict]))
        c.drawString(writer.left, top - 9.5, entry.verdict)
        c.setFont("Helvetica", 8)
        c.setFillColor(INK)
        where = f"p. {picture_pages[entry.index]}" if entry.index in picture_pages else ""
        detail = entry.message if entry.score is None else f"score {score_text(entry.score)}"
        c.drawString(writer.left + 52, top - 9.5, fit(pdf_text(f"#{entry.index}  {entry.name}"), "Helvetica", 8, 200))
        c.drawString(writer.left + 260, top - 9.5, fit(pdf_text(detail), "Helvetica", 8, writer.right - writer.left - 300, keep_end=False))
        c.drawRightString(writer.right, top - 9.5, where)
    if len(shown) < len(needing):
        c.setFillColor(GREY)
        c.drawString(writer.left + 52, y - 16 - len(shown) * ROW - 9.5, f"… and {len(needing) - len(shown)} more: see the results table")


def _verdict_boxes(writer: ReportWriter, y: float) -> float:
    c, summary = writer.canvas, writer.report.summary
    boxes = [("OK", "OK"), ("REVIEW", "REVIEW"), ("NOK", "NOK"), ("UNREADABLE", "ERROR"), ("TOTAL", "")]
    width = (writer.right - writer.left - 4 * 8) / len(boxes)
    for i, (label, verdict) in enumerate(boxes):
        x = writer.left + i * (width + 8)
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


def _key_values(writer: ReportWriter, rows: list[tuple[str, str]], y: float) -> float:
    c = writer.canvas
    key_width = 78
    for key, value in rows:
        c.setFillColor(GREY)
        c.setFont("Helvetica", 9)
        c.drawString(writer.left, y - 11, key)
        c.setFillColor(INK)
        font = "Courier" if key == "Profile hash" else "Helvetica"
        lines = wrap(pdf_text(value), font, 9, writer.right - writer.left - key_width)[:3]
        c.setFont(font, 9)
        for i, text in enumerate(lines):
            c.drawString(writer.left + key_width, y - 11 - 12 * i, text)
        y -= 12 * len(lines) + 3
    return y


def _histogram(writer: ReportWriter, y: float, height: float) -> float:
    """Score histogram with the OK / REVIEW / NOK bands and both thresholds."""
    c, summary, thresholds = writer.canvas, writer.report.summary, writer.report.session.thresholds
    edges, counts = summary.histogram_edges, summary.histogram_counts
    x0, x1 = writer.left + 30, writer.right - 4
    y0, y1 = y - height + 28, y - 16
    low, high = edges[0], edges[-1]
    peak = max(max(counts), 1)

    def sx(value: float) -> float:
        return x0 + (x1 - x0) * (value - low) / (high - low)

    c.setFont("Helvetica-Bold", 10)
    c.drawString(writer.left, y - 8, "Score distribution")
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
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.line(x0, y0, x1, y0)
    c.line(x0, y0, x0, y1)
    c.setFont("Helvetica", 7.5)
    c.setFillColor(INK)
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
