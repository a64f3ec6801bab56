"""The calibration wizard's production page: good images from another session or day to set thresholds on,
the camera's format against the good images', and what the held-back images will be able to promise."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWizardPage

from radar_desktop.core.calibration import NOK_FALSE_REJECT_RATE, REVIEW_FALSE_REJECT_RATE
from radar_desktop.core.promise import images_needed
from radar_desktop.engine.config import TrainConfig
from radar_desktop.gui.folder_row import folder_row
from radar_desktop.profiles.builder import MIN_HELD_BACK, held_back_indices
from radar_desktop.profiles.folder_check import FolderCheck, check_good_folder
from radar_desktop.profiles.paths import data_home
from radar_desktop.sources.frame_format import format_warning

WARNING_STYLE = "color: #bf360c"


class ProductionImagesPage(QWizardPage):
    """Page 3: optional held-back images of another session or day; the camera-format check; the promise preview."""

    def __init__(self, camera: str = "") -> None:
        super().__init__()
        self.setTitle("Production images")
        self.setSubTitle(
            "Thresholds promise how many good parts are rejected. The promise holds in production when the "
            "held-back images it is set on differ from the training images the way production does."
        )
        self.folder, row = folder_row(self, "Good images from another session or day")
        self.folder.setPlaceholderText("optional: a folder of good images from another session, day or camera")
        self.capture_button = QPushButton("Capture from camera…")
        self.capture_button.setToolTip("Save good frames from the production camera into a new folder and use that")
        row.addWidget(self.capture_button)
        self.held_back_summary = QLabel()
        self.held_back_summary.setWordWrap(True)
        self.check: FolderCheck | None = None  # of the held-back folder, when one is named
        self.camera = QLineEdit(camera)
        self.camera.setPlaceholderText("camera index, video file or stream URL used in production")
        self.check_button = QPushButton("Check the camera's format")
        self.format_label = QLabel()
        self.format_label.setWordWrap(True)
        self.promise_label = QLabel()
        self.promise_label.setTextFormat(Qt.RichText)
        self.promise_label.setWordWrap(True)
        camera_row = QHBoxLayout()
        camera_row.addWidget(self.camera, 1)
        camera_row.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Held-back images</b> (else one in five of the good images is held back)"))
        layout.addLayout(row)
        layout.addWidget(self.held_back_summary)
        layout.addSpacing(12)
        layout.addWidget(QLabel("<b>Production camera</b>"))
        layout.addLayout(camera_row)
        layout.addWidget(self.format_label)
        layout.addSpacing(12)
        layout.addWidget(self.promise_label)
        layout.addStretch(1)
        self.folder.textChanged.connect(self._on_folder_text_changed)
        self.folder.editingFinished.connect(self.check_folder)
        self.capture_button.clicked.connect(self._on_capture_button_clicked)
        self.check_button.clicked.connect(self.check_format)

    def initializePage(self) -> None:  # noqa: N802
        self.check_folder()
        if self.camera.text().strip():
            self.check_format()

    def held_back_folder(self) -> Path | None:
        """The folder chosen to calibrate on, or None (one in five of the good images is then held back)."""
        text = self.folder.text().strip()
        return Path(text) if text else None

    def held_back_count(self) -> int:
        """How many images calibration will hold back, as far as is known before training."""
        if self.check is not None:
            return len(self.check.readable)
        good = self.wizard().good_page.check if self.wizard() else None
        return len(held_back_indices(len(good.readable), TrainConfig().holdout_every)) if good else MIN_HELD_BACK

    def check_format(self) -> None:
        """Compare the good images' format with the camera's frames and say what differs."""
        good = self.wizard().good_page.check if self.wizard() else None
        spec = self.camera.text().strip()
        if good is None or not spec:
            self.format_label.setText("Name the camera to compare its frames with the good images.")
            return
        warning = format_warning(good.folder, spec)
        self.format_label.setStyleSheet(WARNING_STYLE if warning else "")
        self.format_label.setText(warning or f"The camera's frames and the good images are stored alike ({escape(spec)}).")

    def isComplete(self) -> bool:  # noqa: N802
        return self.check is None or self.check.refusal is None

    def _on_folder_text_changed(self, text: str) -> None:
        if not text.strip() or Path(text).is_dir():  # not at every keystroke of a path being typed
            self.check_folder()

    def check_folder(self) -> None:
        """Read the held-back folder (if one is named) and say what calibration will rest on."""
        folder = self.held_back_folder()
        self.check = None if folder is None else check_good_folder(folder, MIN_HELD_BACK)
        if self.check is None:
            self.held_back_summary.setText("No folder: one in five of the good images is held back.")
        else:
            readable = f"{len(self.check.readable)} readable good images to calibrate on."
            self.held_back_summary.setText(self.check.refusal or readable)
        self.promise_label.setText(promise_preview(self.held_back_count()))
        self.completeChanged.emit()

    def _on_capture_button_clicked(self) -> None:
        from radar_desktop.gui.capture_dialog import CaptureImagesDialog

        folder = CaptureImagesDialog.get_folder(data_home() / "captures", self)
        if folder is not None:
            self.folder.setText(str(folder))


def promise_preview(images: int) -> str:
    """What ``images`` held-back images will be able to show about the default promises (rich text)."""
    parts = []
    for line, rate in (("NOK", NOK_FALSE_REJECT_RATE), ("REVIEW", REVIEW_FALSE_REJECT_RATE)):
        needed = images_needed(rate)
        parts.append(
            f"the {line} promise ({100 * rate:g} % of good parts) is shown with {needed} or more"
            + (f": capture {needed - images} more to show it" if images < needed else ": enough")
        )
    return (
        f"<b>{images} held-back images</b> (calibration also sees each one re-rendered as a camera would: "
        f"framing, focus, light, noise, JPEG). With none of them rejected, {'; '.join(parts)}."
    )
