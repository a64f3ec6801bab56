"""Capturing good images from a camera into a new folder, for the calibration wizard."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QSpinBox,
    QWidget,
)

from radar_desktop.core.mailbox import NewestWins
from radar_desktop.reports.heatmap_image import save_png
from radar_desktop.sources.capture import CaptureLoop, Frame
from radar_desktop.sources.frames import SourceError, open_source


class CaptureImagesDialog(QDialog):
    """Saves ``count`` frames, one every ``interval`` seconds, as PNG files in ``folder``.

    Place one good part (or move parts through) while it runs. :meth:`get_folder` returns the folder,
    or ``None`` when cancelled or nothing was captured.
    """

    def __init__(self, folder: Path, parent: QWidget | None = None, source: str = "0") -> None:
        super().__init__(parent)
        self.setWindowTitle("Capture good images")
        self.folder = folder
        self.saved = 0
        self.loop: CaptureLoop | None = None
        self.frames: NewestWins[Frame] = NewestWins()
        self.source = QLineEdit(source)
        self.count = QSpinBox()
        self.count.setRange(4, 1000)
        self.count.setValue(30)
        self.interval = QDoubleSpinBox()
        self.interval.setRange(0.0, 60.0)
        self.interval.setValue(1.0)
        self.interval.setSuffix(" s")
        self.progress = QProgressBar()
        self.status = QLabel(f"Images go to {folder}")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Start")
        form = QFormLayout(self)
        form.addRow("Camera, video or stream", self.source)
        form.addRow("Images", self.count)
        form.addRow("One every", self.interval)
        form.addRow(self.progress)
        form.addRow(self.status)
        form.addRow(self.buttons)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

    def start(self) -> None:
        try:
            source = open_source(self.source.text().strip() or "0")
        except SourceError as error:
            self.status.setText(str(error))
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.progress.setRange(0, self.count.value())
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(False)
        self.loop = CaptureLoop(source, self.frames, lambda status: None)
        self.loop.start()
        self.timer.start(max(1, int(self.interval.value() * 1000)))

    def _on_timer_timeout(self) -> None:
        frame = self.frames.take(0)
        if frame is None:
            self.status.setText("Waiting for the camera…")
            return
        self.saved += 1
        save_png(frame.image, self.folder / f"capture_{self.saved:04d}.png")
        self.progress.setValue(self.saved)
        self.status.setText(f"{self.saved} of {self.count.value()} images saved in {self.folder}")
        if self.saved >= self.count.value():
            self._stop()
            self.accept()

    def _stop(self) -> None:
        self.timer.stop()
        if self.loop is not None:
            self.loop.stop()
            self.loop = None

    def done(self, result: int) -> None:
        self._stop()
        super().done(result)

    @classmethod
    def get_folder(cls, root: Path, parent: QWidget | None = None) -> Path | None:
        folder = root / datetime.now().strftime("capture %Y-%m-%d %H%M%S")
        dialog = cls(folder, parent)
        accepted = dialog.exec() == QDialog.Accepted
        return folder if accepted and dialog.saved else None
