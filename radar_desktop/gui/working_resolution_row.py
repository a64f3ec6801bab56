"""The wizard's question "what is the smallest defect to find?", the working resolution it proposes,
and what that costs per image on this machine."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from radar_desktop.engine.config import ModelConfig
from radar_desktop.profiles.working_resolution import WorkingResolution, defect_in_pixels, propose_resolution


class WorkingResolutionRow(QWidget):
    """Smallest defect (px, or mm with a scale) -> the proposed working scale and tiles, and the time per
    image once measured (the model's pass on this machine, per working square, times the tiles)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shape: tuple[int, int] | None = None
        self.config: ModelConfig | None = None
        self.mm_per_pixel: float | None = None
        self.ms_per_square: dict[ModelConfig, float] = {}
        self.defect = QDoubleSpinBox()
        self.defect.setRange(0.0, 100_000.0)
        self.defect.setDecimals(2)
        self.defect.setSpecialValueText("not set")
        self.defect.setToolTip("The smallest defect the profile must find. It sets the scale images are seen at; "
                               "leave it unset to see long parts with their aspect kept and others as a whole.")
        self.unit = QLabel("px")
        self.plan = QLabel("")
        self.plan.setWordWrap(True)
        self.measure = QPushButton("Measure the time per image")
        self.measure.setToolTip("Run the model once on this machine at the proposed working resolution")
        defect_row = QHBoxLayout()
        defect_row.addWidget(self.defect)
        defect_row.addWidget(self.unit)
        defect_row.addStretch(1)
        defect_row.addWidget(self.measure)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("Smallest defect to find:", defect_row)
        layout.addRow("Working resolution:", self.plan)
        self.defect.valueChanged.connect(self.refresh)
        self.measure.clicked.connect(self._on_measure_clicked)

    def set_context(self, shape: tuple[int, int] | None, config: ModelConfig, mm_per_pixel: float | None) -> None:
        """The typical good image's (height, width), the wizard's model settings and the scale chosen."""
        self.shape, self.config, self.mm_per_pixel = shape, config, mm_per_pixel
        self.unit.setText("mm" if mm_per_pixel else "px")
        self.refresh()

    def resolution(self) -> WorkingResolution | None:
        """The working resolution as the page stands (None before a good folder is known)."""
        if self.shape is None or self.config is None:
            return None
        defect = self.defect.value()
        minimum = defect_in_pixels(defect, self.mm_per_pixel) if defect > 0 else None
        return propose_resolution(self.shape, self.config, minimum)

    def working_config(self, config: ModelConfig) -> ModelConfig:
        """``config`` seeing images at the proposed resolution (as it is when none is known yet)."""
        resolution = self.resolution()
        return config if resolution is None else resolution.apply(config)

    def refresh(self) -> None:
        resolution = self.resolution()
        self.measure.setEnabled(resolution is not None)
        if resolution is None:
            self.plan.setText("Pick the good images first.")
            return
        text = resolution.describe() + "."
        timed = self.ms_per_square.get(resolution.apply(self.config))
        if timed is not None:
            text += f" About {timed * resolution.tiles:.0f} ms per image on this machine ({timed:.0f} ms per square)."
        self.plan.setText(text)

    def _on_measure_clicked(self) -> None:
        from radar_desktop.engine.device import resolve_device
        from radar_desktop.engine.jobs.square_timing import ms_per_square

        config = self.resolution().apply(self.config)
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            self.ms_per_square[config] = ms_per_square(config, resolve_device("auto"))
        except RuntimeError as error:  # out of memory included
            self.plan.setText(f"Could not measure: {error}")
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.refresh()
