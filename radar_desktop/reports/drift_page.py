"""The report page of a profile's score drift: its recent scores on a control chart from its calibration.

The record is :func:`radar_desktop.history.drift.drift_record`'s dict (``SessionInfo.drift``); this module
reads it without the history, so a report written elsewhere draws the same page from its JSON.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np
from reportlab.lib.colors import HexColor

from radar_desktop.core.control_chart import RULE_DESCRIPTIONS
from radar_desktop.core.quantities import score_text
from radar_desktop.reports.entries import VERDICT_COLOURS, VERDICTS
from radar_desktop.reports.page_writer import GREY, INK, ReportWriter
from radar_desktop.reports.pdf_text import fit, pdf_text
from radar_desktop.reports.time_axis import local_time, time_ticks

TITLE = "Score drift (control chart)"
PLOT_HEIGHT = 330.0
SIGNAL_RED = HexColor("#d50000")
LIMIT_RED = HexColor("#c62828")
ZONE_SHADES = {1: HexColor("#f1f8e9"), 2: HexColor("#fffde7"), 3: HexColor("#fff3e0")}  # within 1, 2, 3 sigma
RANGE_SIGMAS = 6.0  # the chart shows the centre ± this many sigma at most; scores beyond sit on its edge
TABLE_ROW = 11.5


def has_drift_page(record: dict) -> bool:
    """Whether a report gets the drift page: its session carries a drift record with scores."""
    return bool(record and record.get("scores"))


def rule_counts(record: dict) -> Counter:
    """How many points each rule flags."""
    return Counter(rule for signal in record.get("signals", []) for rule in signal["rules"])


def signal_summary(record: dict, most: int = 3) -> str:
    """``5 signals: rule 4 at 14:02 (×3), rule 1 at 15:10 …`` (the latest ``most``, repeats counted), or
    ``no signals``."""
    signals = record.get("signals", [])
    if not signals:
        return "no signals"
    epochs = record["epochs"]
    one_day = local_time(epochs[0])[:10] == local_time(epochs[-1])[:10]
    texts = [f"{' and '.join(s['rules'])} at {local_time(epochs[s['index']], with_date=not one_day)}" for s in signals]
    runs = [(text, len(list(group))) for text, group in itertools.groupby(texts)]  # a scan's signals share a minute
    shown = [text if count == 1 else f"{text} (×{count})" for text, count in runs[-most:]]
    more = " …" if len(runs) > most else ""
    return f"{len(signals)} signal{'s' * (len(signals) != 1)}: {', '.join(shown)}{more}"


@dataclass(frozen=True)
class _Drift:
    """The record's arrays, read once (a malformed record fails here, before anything is drawn)."""

    kind: str
    epochs: np.ndarray
    scores: np.ndarray
    statistic: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    verdicts: tuple[str, ...]
    centre: float
    sigma: float
    signals: tuple[tuple[int, tuple[str, ...]], ...]

    @classmethod
    def of(cls, record: dict) -> "_Drift":
        arrays = [np.asarray(record[key], dtype=np.float64) for key in ("epochs", "scores", "statistic", "lower", "upper")]
        verdicts = tuple(str(v) for v in record["verdicts"])
        if len({a.size for a in arrays} | {len(verdicts)}) != 1 or not set(verdicts) <= set(VERDICTS):
            raise ValueError("the drift record's series differ in length or hold unknown verdicts")
        signals = tuple((int(s["index"]), tuple(s["rules"])) for s in record["signals"])
        return cls(str(record["kind"]), *arrays, verdicts, float(record["centre"]), float(record["sigma"]), signals)

    @property
    def individuals(self) -> bool:
        return self.kind != "ewma"

    def runs(self) -> list[tuple[int, int, list[str]]]:
        """Consecutive signalling points merged: (first index, last index, the rules that fired in them)."""
        runs: list[tuple[int, int, list[str]]] = []
        for index, rules in self.signals:
            if runs and runs[-1][1] == index - 1:
                first, _, seen = runs[-1]
                runs[-1] = (first, index, seen + [r for r in rules if r not in seen])
            else:
                runs.append((index, index, list(rules)))
        return [(first, last, sorted(rules)) for first, last, rules in runs]


def draw_drift_page(writer: ReportWriter) -> None:
    """Draw the drift page on the writer's canvas (one page, after the self-test page, before the tables)."""
    record = writer.report.session.drift
    y = writer.begin_page(TITLE)
    try:
        drift = _Drift.of(record)
    except (KeyError, TypeError, ValueError):
        writer.canvas.setFont("Helvetica", 10)
        writer.canvas.drawString(writer.left, y - 14, "The drift record could not be read.")
        writer.end_page()
        return
    y = writer.paragraph(_intro(record, drift), "Helvetica", 9, y - 4)
    y = _plot(writer, drift, _Axes.of(writer, drift, y - 10, PLOT_HEIGHT))
    _signal_table(writer, drift, y - 12)
    writer.end_page()


def _intro(record: dict, drift: _Drift) -> str:
    source = (
        f"The centre line and limits come from the profile's calibration: the mean ({drift.centre:.4g}) and the "
        f"standard deviation, sigma ({drift.sigma:.4g}), of the scores of its {record.get('calibration_images', '?')} "
        f"held-back good images (scorer {record.get('scorer', '?')})."
    )
    if drift.individuals:
        chart = (
            "Individuals chart: each inspection's score against the centre ± 3 sigma (shaded: within 1, 2 and 3 "
            "sigma), signals by the Western Electric run rules 1–4."
        )
    else:
        chart = (
            f"EWMA chart (lambda = {record.get('ewma_lambda', 0.2):g}, L = {record.get('ewma_l', 3):g}): the exponentially "
            "weighted moving average of the scores against its exact limits, which widen from the first point on; "
            "a signal is the average beyond them."
        )
    span = (
        f"{drift.scores.size} inspections of {record.get('profile_name', '?')} from {local_time(drift.epochs[0])} "
        f"to {local_time(drift.epochs[-1])}"
    )
    if record.get("last") == drift.scores.size:
        span += f" (the latest {drift.scores.size})"
    counts = sorted(rule_counts(record).items())
    if not drift.signals:
        signals = "none of them signals"
    elif drift.individuals:
        signals = f"{len(drift.signals)} of them signal: " + ", ".join(f"{k} by {rule} ({_described(rule)})" for rule, k in counts)
    else:
        signals = f"{len(drift.signals)} of them signal ({_described(counts[0][0])})"
    promise = record.get("promise", {}).get("message", "")
    return f"{source} {chart} {span}; {signals}." + (f" {promise}" if promise else "")


def _described(rule: str) -> str:
    """A rule's description in the standard fonts (they have no Greek letters)."""
    return RULE_DESCRIPTIONS.get(rule, rule).replace("σ", " sigma")


def _colour(verdict: str) -> HexColor:
    return HexColor(VERDICT_COLOURS[verdict])


@dataclass(frozen=True)
class _Axes:
    """Where the chart sits on the page (points) and what it shows: a time span and a value range."""

    x0: float
    x1: float
    y0: float
    y1: float
    start: float
    end: float
    low: float
    high: float

    @classmethod
    def of(cls, writer: ReportWriter, drift: _Drift, y: float, height: float) -> "_Axes":
        centre, reach = drift.centre, RANGE_SIGMAS * drift.sigma
        low = max(min(drift.lower.min(), drift.statistic.min()), centre - reach)
        high = min(max(drift.upper.max(), drift.statistic.max()), centre + reach)
        start, end = float(drift.epochs[0]), float(drift.epochs[-1])
        if end - start < 60:  # one moment: give the points a minute either side
            start, end = start - 60, end + 60
        margin, pad = 0.04 * (high - low), 0.02 * (end - start)
        return cls(writer.left + 38, writer.right - 34, y - height + 30, y - 4, start - pad, end + pad, low - margin, high + margin)

    def x(self, epoch: float) -> float:
        return self.x0 + (self.x1 - self.x0) * (epoch - self.start) / (self.end - self.start)

    def y(self, value: float) -> float:
        """The height of ``value``, held to the chart's edge when beyond its range."""
        return self.y0 + (self.y1 - self.y0) * (min(max(value, self.low), self.high) - self.low) / (self.high - self.low)

    def inside(self, value: float) -> bool:
        return self.low < value < self.high


def _plot(writer: ReportWriter, drift: _Drift, axes: _Axes) -> float:
    """Scores (or their EWMA) against time in verdict colours, centre, limits, zones and red rings on signals."""
    c, centre, sigma = writer.canvas, drift.centre, drift.sigma
    xs, ys = [axes.x(e) for e in drift.epochs], [axes.y(v) for v in drift.statistic]
    if drift.individuals:  # outermost band first, so the inner ones paint over it
        for k in (3, 2, 1):
            c.setFillColor(ZONE_SHADES[k])
            bottom = axes.y(centre - k * sigma)
            c.rect(axes.x0, bottom, axes.x1 - axes.x0, axes.y(centre + k * sigma) - bottom, stroke=0, fill=1)
    _time_axis(writer, axes)
    c.setStrokeColor(INK)
    c.setLineWidth(0.7)
    c.line(axes.x0, axes.y0, axes.x1, axes.y0)
    c.line(axes.x0, axes.y0, axes.x0, axes.y1)
    c.setLineWidth(0.8)
    c.line(axes.x0, axes.y(centre), axes.x1, axes.y(centre))
    c.setStrokeColor(LIMIT_RED)
    c.setLineWidth(1.0)
    c.setDash(4, 2)
    for limit in (drift.lower, drift.upper):  # EWMA limits start at the first point, where they are narrowest
        head = [(axes.x0, axes.y(limit[0]))] if drift.individuals else []
        writer.polyline([*head, *zip(xs, (axes.y(v) for v in limit)), (axes.x1, axes.y(limit[-1]))])
    c.setDash()
    _level_labels(writer, drift, axes)
    if not drift.individuals:
        c.setStrokeColor(HexColor("#78909c"))
        c.setLineWidth(0.6)
        writer.polyline(list(zip(xs, ys)))
    for x, y, value, verdict in zip(xs, ys, drift.statistic, drift.verdicts):
        c.setFillColor(_colour(verdict))
        if axes.inside(value):
            c.circle(x, y, 1.7, stroke=0, fill=1)
        else:
            _triangle(c, x, y, value >= axes.high)
    c.setStrokeColor(SIGNAL_RED)
    c.setLineWidth(0.9)
    for index, _ in drift.signals:
        c.circle(xs[index], ys[index], 4.2, stroke=1, fill=0)
    c.saveState()
    c.translate(writer.left + 4, (axes.y0 + axes.y1) / 2)
    c.rotate(90)
    c.setFillColor(GREY)
    c.setFont("Helvetica", 7.5)
    c.drawCentredString(0, 0, "image score" if drift.individuals else "EWMA of the scores")
    c.restoreState()
    clipped = not all(axes.inside(v) for v in drift.statistic)
    return _legend(writer, drift, axes.x0, axes.y0 - 34, clipped)


def _time_axis(writer: ReportWriter, axes: _Axes) -> None:
    c = writer.canvas
    c.setFont("Helvetica", 7.5)
    for epoch, label in time_ticks(axes.start, axes.end, most=7):
        x = axes.x(epoch)
        c.setStrokeColor(HexColor("#e0e0e0"))
        c.setLineWidth(0.4)
        c.line(x, axes.y0, x, axes.y1)
        c.setFillColor(INK)
        for i, line in enumerate(label.split("\n")):
            c.drawCentredString(x, axes.y0 - 10 - 9 * i, line)


def _level_labels(writer: ReportWriter, drift: _Drift, axes: _Axes) -> None:
    """Values of the centre and limit lines on the left, their names (and the sigma zones') on the right."""
    c = writer.canvas
    levels = [("CL", drift.centre, INK), ("UCL", float(drift.upper[-1]), LIMIT_RED), ("LCL", float(drift.lower[-1]), LIMIT_RED)]
    c.setFont("Helvetica", 7)
    for name, value, colour in levels:
        c.setFillColor(colour)
        c.drawString(axes.x1 + 3, axes.y(value) - 2.5, name)
        c.drawRightString(axes.x0 - 3, axes.y(value) - 2.5, f"{value:.4g}")
    if drift.individuals:
        c.setFillColor(GREY)
        for k in (1, 2, -1, -2):
            c.drawString(axes.x1 + 3, axes.y(drift.centre + k * drift.sigma) - 2.5, f"{k:+d} sigma")


def _legend(writer: ReportWriter, drift: _Drift, x: float, y: float, clipped: bool) -> float:
    """One line of markers and what they mean (two where it is too long); returns the y below it."""
    c = writer.canvas
    items = [("dot", verdict, verdict) for verdict in ("OK", "REVIEW", "NOK")]
    items += [("line", "", "centre line (CL)"), ("dashed", "", "3 sigma limits (UCL, LCL)" if drift.individuals else "EWMA limits (UCL, LCL)")]
    items += [("ring", "", "rule signal")]
    if clipped:
        items.append(("triangle", "", f"beyond {RANGE_SIGMAS:g} sigma (drawn at the edge)"))
    c.setFont("Helvetica", 7.5)
    start = x
    for mark, verdict, label in items:
        width = 11 + c.stringWidth(label, "Helvetica", 7.5)
        if x + width > writer.right:
            x, y = start, y - 12
        _legend_mark(c, mark, verdict, x + 4, y + 2.5)
        c.setFillColor(INK)
        c.drawString(x + 11, y, label)
        x += width + 12
    return y - 6


def _legend_mark(c, mark: str, verdict: str, x: float, y: float) -> None:
    if mark == "dot":
        c.setFillColor(_colour(verdict))
        c.circle(x, y, 2.0, stroke=0, fill=1)
    elif mark == "ring":
        c.setStrokeColor(SIGNAL_RED)
        c.setLineWidth(0.9)
        c.circle(x, y, 3.5, stroke=1, fill=0)
    elif mark == "triangle":
        c.setFillColor(GREY)
        _triangle(c, x, y, True)
    else:
        c.setStrokeColor(INK if mark == "line" else LIMIT_RED)
        c.setLineWidth(0.8)
        c.setDash(*((4, 2) if mark == "dashed" else ()))
        c.line(x - 4, y, x + 4, y)
        c.setDash()


def _signal_table(writer: ReportWriter, drift: _Drift, y: float) -> None:
    """The signals, consecutive signalling points as one row (a drift flags run after run), the latest that fit."""
    c = writer.canvas
    c.setFont("Helvetica-Bold", 10)
    c.setFillColor(INK)
    c.drawString(writer.left, y - 10, "Signals" if drift.signals else "Signals: none")
    if not drift.signals:
        return
    columns = [("From", 82), ("To", 82), ("Points", 38), ("Scores", 80), ("Worst verdict", 62), ("Rules (see above)", 0)]
    xs = [writer.left]
    for _, width in columns[:-1]:
        xs.append(xs[-1] + width)
    y -= 16
    c.setFont("Helvetica-Bold", 8)
    for (label, _), x in zip(columns, xs):
        c.drawString(x + 2, y - 9, label)
    y -= 12
    c.setStrokeColor(HexColor("#9e9e9e"))
    c.setLineWidth(0.5)
    c.line(writer.left, y, writer.right, y)
    runs = drift.runs()
    room = int((y - writer.bottom - 4) // TABLE_ROW)  # down to the page's bottom margin
    shown = runs if len(runs) <= room else runs[-(room - 1) :]
    if len(shown) < len(runs):
        c.setFont("Helvetica-Oblique", 8)
        c.setFillColor(GREY)
        c.drawString(writer.left + 2, y - 9, f"… {len(runs) - len(shown)} earlier rows not listed")
        y -= TABLE_ROW
    for first, last, rules in shown:
        scores = drift.scores[first : last + 1]
        worst = max(drift.verdicts[first : last + 1], key=VERDICTS.index)
        several = last > first
        cells = [
            local_time(drift.epochs[first]),
            local_time(drift.epochs[last]) if several else "",
            str(last - first + 1),
            f"{score_text(scores.min())} – {score_text(scores.max())}" if several else f"{score_text(scores[0])}",
        ]
        c.setFont("Helvetica", 8)
        c.setFillColor(INK)
        for text, x in zip(cells, xs):
            c.drawString(x + 2, y - 9, text)
        c.drawString(xs[5] + 2, y - 9, fit(pdf_text(", ".join(rules)), "Helvetica", 8, writer.right - xs[5] - 4, keep_end=False))
        c.setFillColor(_colour(worst))
        c.setFont("Helvetica-Bold", 8)
        c.drawString(xs[4] + 2, y - 9, worst)
        y -= TABLE_ROW


def _triangle(c, x: float, y: float, up: bool) -> None:
    """A small filled triangle pointing off the chart (a value beyond its range)."""
    tip = 3.2 if up else -3.2
    path = c.beginPath()
    path.moveTo(x, y + tip)
    path.lineTo(x - 2.6, y - tip / 2)
    path.lineTo(x + 2.6, y - tip / 2)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
