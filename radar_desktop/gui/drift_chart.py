"""The drift chart: one profile's recent scores from the history on a control chart from its calibration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from radar_desktop.core.control_chart import KIND_LABELS, KINDS
from radar_desktop.history.database import HistoryDatabase, HistoryError
from radar_desktop.history.drift import SPANS, drift_record
from radar_desktop.profiles.profile import Profile, ProfileError
from radar_desktop.reports.drift_page import signal_summary
from radar_desktop.reports.entries import VERDICT_COLOURS
from radar_desktop.reports.time_axis import local_time

DEFAULT_SPAN = 500
EMPTY = "No inspections of this profile in the history yet"
CENTRE_PEN = pg.mkPen("#212121", width=1.5)
LIMIT_PEN = pg.mkPen("#c62828", width=1.5, style=Qt.DashLine)
ZONE_PEN = pg.mkPen("#9e9e9e", width=1, style=Qt.DotLine)
EWMA_PEN = pg.mkPen("#78909c", width=1)
RING_PEN = pg.mkPen("#d50000", width=2)
BROKEN_BRUSH = pg.mkBrush(239, 108, 0, 45)  # where reviewed-good parts show the false-reject promise broken


class DriftChartWidget(QWidget):
    """Profile, chart kind (individuals or EWMA) and span choices above the chart and a status line.

    Reads the history at ``history_path`` on each refresh (a few milliseconds), with its own connection;
    a history that does not exist yet is not created, it is shown as empty.
    """

    sig_refreshed = Signal(dict)
    """The drift record now shown (``history.drift.drift_record``'s dict; empty when there is none)."""

    def __init__(self, history_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history_path = Path(history_path)
        self.profiles: dict[str, Profile] = {}
        self.record: dict = {}
        self.profile_box = QComboBox()
        self.profile_box.setMinimumContentsLength(16)
        self.kind_box = QComboBox()
        for kind in KINDS:
            self.kind_box.addItem(KIND_LABELS[kind], kind)
        self.span_box = QComboBox()
        for span in SPANS:
            self.span_box.addItem(f"Last {span} inspections", span)
        self.span_box.setCurrentIndex(SPANS.index(DEFAULT_SPAN))
        self.refresh_button = QPushButton("Refresh")
        self.status = QLabel(EMPTY)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self._build_plot()
        self._layout()
        for box in (self.profile_box, self.kind_box, self.span_box):
            box.currentIndexChanged.connect(self._on_choice_box_changed)
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)

    def _build_plot(self) -> None:
        plot = self.plot
        plot.setBackground("w")
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.getAxis("left").enableAutoSIPrefix(False)  # scores read as the history table shows them
        plot.setLabel("bottom", "inspected (local time)")
        # below the time axis, in one row: inside the plot it would hide the latest points or a far outlier
        self.legend = pg.LegendItem(colCount=7, labelTextColor="#212121")
        self.legend.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Fixed)  # its own width, not the axis's
        plot.plotItem.layout.addItem(self.legend, 4, 1)
        plot.plotItem.layout.setAlignment(self.legend, Qt.AlignLeft)
        self.zones = [plot.plot([], [], pen=ZONE_PEN) for _ in range(4)]  # +1σ, +2σ, -1σ, -2σ
        self.centre = plot.plot([], [], pen=CENTRE_PEN)
        self.ewma_line = plot.plot([], [], pen=EWMA_PEN)
        self.upper = plot.plot([], [], pen=LIMIT_PEN)
        self.lower = plot.plot([], [], pen=LIMIT_PEN)
        self.points = {
            verdict: pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(VERDICT_COLOURS[verdict]))
            for verdict in ("OK", "REVIEW", "NOK")
        }
        for item in self.points.values():
            plot.addItem(item)
        self.rings = pg.ScatterPlotItem(size=15, pen=RING_PEN, brush=None)
        plot.addItem(self.rings)
        self.broken_regions: list[pg.LinearRegionItem] = []
        self.broken_key = pg.BarGraphItem(x=[0], height=[0], width=0, brush=BROKEN_BRUSH, pen=None)  # legend swatch
        self._fill_legend(individuals=True)

    def _fill_legend(self, individuals: bool) -> None:
        self.legend.clear()
        for verdict, item in self.points.items():
            self.legend.addItem(item, verdict)
        self.legend.addItem(self.centre, "centre line")
        self.legend.addItem(self.upper, "3σ limits" if individuals else "EWMA limits")
        if individuals:
            self.legend.addItem(self.zones[0], "1σ and 2σ")
        self.legend.addItem(self.rings, "rule signal")
        if self.broken_regions:
            self.legend.addItem(self.broken_key, "false-reject promise broken")

    def _layout(self) -> None:
        controls = QHBoxLayout()
        for label, box in (("Profile", self.profile_box), ("Chart", self.kind_box), ("Span", self.span_box)):
            controls.addWidget(QLabel(label))
            controls.addWidget(box)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)

    # -- what to show --------------------------------------------------------------------------------

    def set_profiles(self, profiles: list[Profile]) -> None:
        """Offer these profiles (call when the profiles reload); the one shown stays when it still exists."""
        shown = self.profile_box.currentText()
        self.profiles = {p.name: p for p in profiles}
        self.profile_box.blockSignals(True)  # one refresh below, not one per item
        self.profile_box.clear()
        self.profile_box.addItems(sorted(self.profiles))
        self.profile_box.setCurrentIndex(max(self.profile_box.findText(shown), 0))
        self.profile_box.blockSignals(False)
        self.refresh()

    def show_profile(self, name: str) -> None:
        """Chart the profile called ``name`` (one of those set)."""
        index = self.profile_box.findText(name)
        if index < 0:
            raise ValueError(f"no profile {name!r} among those offered")
        self.profile_box.blockSignals(True)
        self.profile_box.setCurrentIndex(index)
        self.profile_box.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Read the chosen profile's scores from the history again and redraw."""
        profile = self.profiles.get(self.profile_box.currentText())
        try:
            self.record = self._read(profile) if profile is not None else {}
        except (HistoryError, ProfileError, ValueError) as error:
            self.record = {}
            self._draw()
            self.status.setText(f"Cannot chart {profile.name}: {error}")
        else:
            self._draw()
            self.status.setText(self._status_text())
        self.sig_refreshed.emit(self.record)

    def _read(self, profile: Profile) -> dict:
        if not self.history_path.exists():
            return {}
        with HistoryDatabase(self.history_path) as database:
            return drift_record(database, profile, kind=self.kind_box.currentData(), last=self.span_box.currentData())

    # -- drawing -------------------------------------------------------------------------------------

    def _draw(self) -> None:
        record = self.record
        individuals = record.get("kind") != "ewma"
        epochs, statistic, upper, lower = (
            np.asarray(record.get(key, []), dtype=np.float64) for key in ("epochs", "statistic", "upper", "lower")
        )
        verdicts = np.asarray(record.get("verdicts", []), dtype=object)
        for verdict, item in self.points.items():
            chosen = verdicts == verdict
            item.setData(epochs[chosen], statistic[chosen])
        flagged = [s["index"] for s in record.get("signals", [])]
        self.rings.setData(epochs[flagged], statistic[flagged])
        self.upper.setData(epochs, upper)
        self.lower.setData(epochs, lower)
        line = slice(0, 0) if individuals else slice(None)  # the EWMA's points are joined, the scores' are not
        self.ewma_line.setData(epochs[line], statistic[line])
        ends = epochs[[0, -1]] if epochs.size else epochs
        centre, sigma = record.get("centre", 0.0), record.get("sigma", 0.0)
        self.centre.setData(ends, np.full(ends.size, centre))
        zone_ends = ends if individuals else ends[:0]
        for zone, k in zip(self.zones, (1, 2, -1, -2)):
            zone.setData(zone_ends, np.full(zone_ends.size, centre + k * sigma))
        self._mark_broken_promise(epochs, record.get("promise", {}).get("broken", []))
        self._fill_legend(individuals)
        self.plot.setLabel("left", "image score" if individuals else "EWMA of the scores")
        self.plot.enableAutoRange()

    def _mark_broken_promise(self, epochs: np.ndarray, broken: list[int]) -> None:
        """Shade each run of inspections where reviewed-good parts show the promise broken."""
        for region in self.broken_regions:
            self.plot.removeItem(region)
        self.broken_regions = []
        for run in np.split(np.asarray(broken, dtype=int), np.flatnonzero(np.diff(broken) != 1) + 1) if broken else []:
            region = pg.LinearRegionItem((epochs[run[0]], epochs[run[-1]]), movable=False, brush=BROKEN_BRUSH, pen=None)
            region.setZValue(-10)
            self.plot.addItem(region)
            self.broken_regions.append(region)

    def _status_text(self) -> str:
        record = self.record
        if not record:
            return EMPTY
        since = local_time(record["epochs"][0])[:10]
        n = len(record["scores"])
        text = f"{n} inspection{'s' * (n != 1)} of {record['profile_name']} since {since}; {signal_summary(record)}"
        return text + (f"\n{record['promise']['message']}" if "promise" in record else "")

    # -- slots ---------------------------------------------------------------------------------------

    def _on_choice_box_changed(self, _index: int) -> None:
        self.refresh()

    def _on_refresh_button_clicked(self) -> None:
        self.refresh()
