"""The live camera view: source and settings, the newest inspected frame and its heatmap, a large verdict,
rolling scores with the thresholds, rates, Freeze, Snapshot and a region of interest."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from radar_desktop.core.regions import OutlineLevels
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.jobs.live import LiveResult, LiveSession, Roi
from radar_desktop.gui.viewer import VERDICT_COLOURS, ViewerWidget
from radar_desktop.sources.frames import CameraSettings

REPAINT_MS = 40  # the view repaints at most 25 times a second, however fast frames come
RESOLUTIONS = {"Camera default": None, "640 x 480": (640, 480), "1280 x 720": (1280, 720), "1920 x 1080": (1920, 1080)}
STATE_COLOURS = {"live": "#2e7d32", "connecting": "#ef6c00", "disconnected": "#c62828", "stopped": "#555555"}


class LiveViewWidget(QWidget):
    """Shows a :class:`LiveSession`; the main window starts and stops it on the engine worker."""

    sig_start_requested = Signal(str, object)
    """Source spec (device index, video file or URL) and its CameraSettings."""
    sig_stop_requested = Signal()
    """The user pressed Stop."""
    sig_snapshot = Signal(object)
    """The LiveResult to keep (Snapshot pressed, or an auto-saved NOK frame)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: LiveSession | None = None
        self.shown: LiveResult | None = None
        self.thresholds: Thresholds | None = None
        self.map_range = (0.0, 1.0)
        self.outline = OutlineLevels.at(0.0)
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(REPAINT_MS)
        self.timer.timeout.connect(self._on_timer_timeout)

    def _build(self) -> None:
        self.source_box = QComboBox()
        self.source_box.setEditable(True)
        self.source_box.setMinimumWidth(220)
        self.source_box.setToolTip("Camera index, video file or stream URL")
        self.find_button = QPushButton("Find cameras")
        self.browse_button = QPushButton("Video file…")
        self.resolution_box = QComboBox()
        self.resolution_box.addItems(list(RESOLUTIONS))
        self.exposure_box, self.exposure_spin = self._manual_setting("Exposure", -13.0, 10000.0)
        self.focus_box, self.focus_spin = self._manual_setting("Focus", 0.0, 1000.0)
        self.start_button = QPushButton("Start")
        top = QHBoxLayout()
        for widget in (QLabel("Source"), self.source_box, self.find_button, self.browse_button, QLabel("Resolution"),
                       self.resolution_box, self.exposure_box, self.exposure_spin, self.focus_box, self.focus_spin):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.start_button)

        self.viewer = ViewerWidget()
        self.roi_item = pg.RectROI((0, 0), (100, 100), pen=pg.mkPen("#ffd54f", width=2), removable=False)
        self.roi_item.setVisible(False)
        self.viewer.left.addItem(self.roi_item)

        self.verdict_label = QLabel("–")
        self.verdict_label.setAlignment(Qt.AlignCenter)
        self.verdict_label.setMinimumSize(200, 110)
        self.verdict_label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self._paint_verdict("–", "#777777")
        self.state_label = QLabel("Not started")
        self.state_label.setWordWrap(True)
        self.rates_label = QLabel("")
        self.rates_label.setTextFormat(Qt.RichText)
        self.freeze_button = QPushButton("Freeze")
        self.freeze_button.setCheckable(True)
        self.snapshot_button = QPushButton("Snapshot")
        self.snapshot_button.setEnabled(False)
        self.autosave_box = QCheckBox("Save every NOK frame")
        self.autosave_box.toggled.connect(self._on_autosave_box_toggled)
        self.roi_button = QPushButton("Region of interest")
        self.roi_button.setCheckable(True)
        self.roi_button.setToolTip("Inspect only the part of the frame inside the yellow rectangle (drag to move, corner to resize)")
        side = QVBoxLayout()
        for widget in (self.verdict_label, self.state_label, self.rates_label, self.freeze_button, self.snapshot_button,
                       self.autosave_box, self.roi_button):
            side.addWidget(widget)
        side.addStretch(1)

        self.chart = pg.PlotWidget(title="Score per frame")
        self.chart.setLabel("bottom", "frame")
        self.chart.setLabel("left", "score")
        self.chart.setMaximumHeight(200)
        self.chart.setBackground("w")
        self.curve = self.chart.plot([], [], pen=pg.mkPen("#37474f", width=2))
        self.review_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#ef6c00", style=Qt.DashLine))
        self.nok_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#c62828", width=2))
        for line in (self.review_line, self.nok_line):
            self.chart.addItem(line)

        middle = QHBoxLayout()
        middle.addWidget(self.viewer, 1)
        middle.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.chart)

        self.find_button.clicked.connect(self._on_find_button_clicked)
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.snapshot_button.clicked.connect(self._on_snapshot_button_clicked)
        self.roi_button.toggled.connect(self._on_roi_button_toggled)
        self.roi_item.sigRegionChangeFinished.connect(self._apply_roi)

    def _manual_setting(self, name: str, low: float, high: float) -> tuple[QCheckBox, QDoubleSpinBox]:
        box = QCheckBox(name)
        box.setToolTip(f"Unticked: the camera's automatic {name.lower()}")
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setEnabled(False)
        box.toggled.connect(spin.setEnabled)
        return box, spin

    # ----- settings
    def settings(self) -> CameraSettings:
        size = RESOLUTIONS[self.resolution_box.currentText()]
        return CameraSettings(
            width=size[0] if size else None,
            height=size[1] if size else None,
            exposure=self.exposure_spin.value() if self.exposure_box.isChecked() else None,
            focus=self.focus_spin.value() if self.focus_box.isChecked() else None,
        )

    def set_profile(self, thresholds: Thresholds, map_range: tuple[float, float], outline: OutlineLevels) -> None:
        self.thresholds = thresholds
        self.map_range = map_range
        self.outline = outline
        self.review_line.setValue(thresholds.review)
        self.nok_line.setValue(thresholds.nok)

    def set_roi(self, roi: Roi | None) -> None:
        """Show (and apply) a stored region of interest; ``None`` inspects whole frames."""
        self.roi_button.setChecked(roi is not None)
        if roi is not None:
            self.roi_item.setPos((roi.x, roi.y), finish=False)
            self.roi_item.setSize((roi.width, roi.height), finish=False)
        self._apply_roi()

    def roi(self) -> Roi | None:
        if not self.roi_button.isChecked():
            return None
        x, y = (int(round(v)) for v in self.roi_item.pos())
        width, height = (int(round(v)) for v in self.roi_item.size())
        return Roi(x, y, width, height)

    # ----- running
    def attach(self, session: LiveSession) -> None:
        """Start showing ``session`` (already started by the caller)."""
        self.session = session
        session.roi = self.roi()
        session.keep_nok = self.autosave_box.isChecked()
        self.shown = None
        self.curve.setData([], [])
        self.start_button.setText("Stop")
        self.timer.start()

    def detach(self) -> None:
        """The session ended: keep the last frame, chart and state on screen."""
        self._on_timer_timeout()
        self.timer.stop()
        self.session = None
        self.start_button.setText("Start")

    def _on_autosave_box_toggled(self, checked: bool) -> None:
        if self.session is not None:
            self.session.keep_nok = checked

    def _on_start_button_clicked(self) -> None:
        if self.session is None:
            self.sig_start_requested.emit(self.source_box.currentText().strip(), self.settings())
        else:
            self.sig_stop_requested.emit()

    def _on_timer_timeout(self) -> None:
        session = self.session
        if session is None:
            return
        status = session.status
        colour = STATE_COLOURS.get(status.state, "#555555")
        retry = f", retrying in {status.retry_in_s:.1f} s" if status.state == "disconnected" else ""
        self.state_label.setText(f"<span style='color:{colour}'>{status.message}{retry}</span>")
        scores = session.scores()
        if scores:
            frames, values = zip(*scores)
            self.curve.setData(list(frames), list(values))
        for nok in session.take_nok():
            self.sig_snapshot.emit(nok)
        live = session.results.take(0)
        if live is None:
            return
        if self.freeze_button.isChecked():
            return
        self.show_live(live, session.capture.fps)

    def show_live(self, live: LiveResult, capture_fps: float) -> None:
        first = self.shown is None
        self.shown = live
        threshold = self.thresholds.nok if self.thresholds else float("nan")
        self.viewer.show_result(live.image, live.result, self.map_range, self.outline, threshold, fit=first)
        verdict = live.result.verdict
        self._paint_verdict(verdict.value, VERDICT_COLOURS[verdict])
        self.rates_label.setText(
            f"capture <b>{capture_fps:.1f}</b> fps<br>inference <b>{live.inference_fps:.1f}</b> fps"
            f"<br>latency <b>{live.latency_ms:.0f}</b> ms<br>dropped {live.dropped} frames"
        )
        self.snapshot_button.setEnabled(True)

    def _paint_verdict(self, text: str, colour: str) -> None:
        self.verdict_label.setText(text)
        self.verdict_label.setStyleSheet(
            f"background:{colour}; color:white; font-size:44px; font-weight:bold; border-radius:8px"
        )

    def _on_snapshot_button_clicked(self) -> None:
        if self.shown is not None:
            self.sig_snapshot.emit(self.shown)

    def _on_roi_button_toggled(self, checked: bool) -> None:
        if checked and self.shown is not None and not self.roi_item.isVisible():
            h, w = self.shown.image.shape[:2]  # start from the middle half of what is on screen
            self.roi_item.setPos((w // 4, h // 4), finish=False)
            self.roi_item.setSize((w // 2, h // 2), finish=False)
        self.roi_item.setVisible(checked)
        self._apply_roi()

    def _apply_roi(self) -> None:
        if self.session is not None:
            self.session.roi = self.roi()

    def _on_find_button_clicked(self) -> None:
        from radar_desktop.sources.frames import list_cameras

        found = list_cameras()
        current = self.source_box.currentText()
        self.source_box.clear()
        self.source_box.addItems([str(i) for i in found])
        self.source_box.setEditText(str(found[0]) if found else current)
        self.state_label.setText(f"Cameras found: {', '.join(map(str, found))}" if found else "No camera found")

    def _on_browse_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", "", "Videos (*.avi *.mp4 *.mkv *.mov);;All files (*)")
        if path:
            self.source_box.setEditText(path)
