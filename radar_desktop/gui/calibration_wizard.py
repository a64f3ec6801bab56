"""The calibration wizard: how a technician makes a profile without knowing what a diffusion model is.

Pages: product name and notes; good images (checked); optional defect examples; physical scale
(optional); inspection mask and acceptance rules (optional); training (budget, live loss chart, Cancel
that keeps a checkpoint, resume); thresholds (histogram with draggable lines, or from a target
false-reject rate with its confidence bound); summary with the detection-probability self-test.
Returns a prepared profile or ``None``; the caller saves it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from radar_desktop.core.calibration import REVIEW_FALSE_REJECT_RATE, threshold_for_false_reject_rate
from radar_desktop.core.acceptance import AcceptanceRules
from radar_desktop.core.metrics import best_f1_threshold
from radar_desktop.core.pod import SHAPE_LABELS, PodFit
from radar_desktop.core.promise import Promise, threshold_promises
from radar_desktop.core.quantities import score_text
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.config import ModelConfig, TrainConfig, default_config
from radar_desktop.gui.acceptance_rules import AcceptanceRulesWidget
from radar_desktop.gui.folder_row import folder_row
from radar_desktop.engine.jobs.selftest import refit_record
from radar_desktop.gui.mask_editor import MaskEditorWidget
from radar_desktop.gui.pod_plot import PodPlotWidget
from radar_desktop.gui.production_page import ProductionImagesPage
from radar_desktop.gui.scale_editor import ScaleWidget
from radar_desktop.gui.working_resolution_row import WorkingResolutionRow
from radar_desktop.profiles.folder_check import FolderCheck, check_good_folder, sizing_plan
from radar_desktop.profiles.paths import data_home
from radar_desktop.profiles.profile import ProfileError, check_name
from radar_desktop.profiles.promises import TARGETS_KEY
from radar_desktop.profiles.store import profile_path
from radar_desktop.profiles.summary import space_line
from radar_desktop.profiles.working_resolution import propose_resolution
from radar_desktop.sources.images import ImageReadError, list_images, read_image

BUDGETS = {
    "Quick": TrainConfig(max_seconds=2 * 60.0),
    "Standard": TrainConfig(max_seconds=15 * 60.0),
    "Thorough": TrainConfig(max_seconds=45 * 60.0),
}
CALIBRATION_S_PER_IMAGE = 0.6  # all scorers, one held-back image, on a 2-core CPU (measured on the demo)


class NamePage(QWizardPage):
    """Page 1: the product's name (a valid, unused profile name) and notes."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Product")
        self.setSubTitle("One profile per product. The name appears in reports.")
        self.name = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Optional: part number, line, camera set-up…")
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#c62828")
        form = QFormLayout(self)
        form.addRow("Product name", self.name)
        form.addRow("Notes", self.notes)
        form.addRow(self.problem)
        self.name.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        name = self.name.text().strip()
        try:
            check_name(name)
            taken = profile_path(name).exists()
        except ProfileError as error:
            self.problem.setText(str(error) if name else "")
            return False
        self.problem.setText(f"A profile named {name!r} already exists." if taken else "")
        return not taken


class GoodImagesPage(QWizardPage):
    """Page 2: the folder of good images, checked when chosen; refused below the minimum."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Good images")
        self.setSubTitle("A folder of images of good parts only, taken as in production. One in five is held back to set thresholds.")
        self.check: FolderCheck | None = None
        self.folder, row = folder_row(self, "Folder of good images")
        capture = QPushButton("Capture from camera…")
        capture.setToolTip("Save frames from a camera into a new folder and use that")
        capture.clicked.connect(self._on_capture_clicked)
        row.addWidget(capture)
        self.summary = QLabel("Pick a folder, or capture images from a camera.")
        self.summary.setWordWrap(True)
        self.sizes_button = QToolButton()
        self.sizes_button.setText("Show every size")
        self.sizes_button.setCheckable(True)
        self.sizes_button.setVisible(False)
        self.sizes_button.toggled.connect(self._on_sizes_button_toggled)
        self.sizes = QPlainTextEdit()
        self.sizes.setReadOnly(True)
        self.sizes.setMaximumHeight(140)
        self.sizes.setVisible(False)
        self.thumbnails = QListWidget()
        self.thumbnails.setViewMode(QListWidget.IconMode)
        self.thumbnails.setIconSize(QSize(96, 96))
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        self.look_label = QLabel("Worth a look:")
        layout.addWidget(self.summary)
        layout.addWidget(self.sizes_button)
        layout.addWidget(self.sizes)
        layout.addWidget(self.look_label)
        layout.addWidget(self.thumbnails, 1)
        self.folder.editingFinished.connect(self.run_check)
        self.folder.textChanged.connect(self._on_folder_text_changed)

    def _on_folder_text_changed(self, text: str) -> None:
        if Path(text).is_dir():
            self.run_check()

    def _on_capture_clicked(self) -> None:
        from radar_desktop.gui.capture_dialog import CaptureImagesDialog

        folder = CaptureImagesDialog.get_folder(data_home() / "captures", self)
        if folder is not None:
            self.folder.setText(str(folder))

    def _on_sizes_button_toggled(self, shown: bool) -> None:
        self.sizes.setVisible(shown)
        self.sizes_button.setText("Hide the sizes" if shown else "Show every size")

    def run_check(self) -> None:
        self.check = check_good_folder(Path(self.folder.text()))
        refusal = self.check.refusal
        lines = [f"{len(self.check.readable)} readable images; {escape(self.check.size_range())}."]
        lines += [f"• {escape(w)}" for w in self.check.warnings]
        if self.check.readable:
            config = self.wizard().model_config if self.wizard() else default_config()
            resolution = propose_resolution(self.check.typical_shape(), config)
            lines.append(escape(
                f"Long parts: {resolution.describe()}; the smallest defect (page 5) can ask for a finer scale."
                if resolution.resize_mode == "tiles" else sizing_plan(config.resize_mode, config.image_size)
            ))
        if refusal:
            lines.insert(0, f"<b style='color:#c62828'>Cannot train: {escape(refusal)}.</b>")
        self.summary.setText("<br>".join(lines))
        several = len(self.check.shapes) > 1
        self.sizes_button.setVisible(several)
        self.sizes_button.setChecked(False)
        self.sizes.setPlainText(self.check.size_details() if several else "")
        self.thumbnails.clear()
        suspicious = self.check.suspicious
        self.look_label.setText(f"Worth a look ({len(suspicious)}):" if suspicious else "Nothing looks suspicious.")
        for name, reason in suspicious[:60]:
            item = QListWidgetItem(thumbnail_icon(self.check.folder / name), f"{name}\n{reason}")
            item.setToolTip(reason)
            self.thumbnails.addItem(item)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.check is not None and self.check.refusal is None


def thumbnail_icon(path: Path) -> QIcon:
    """A small icon of an image file (an empty one if it cannot be read)."""
    try:
        image = np.ascontiguousarray(np.round(read_image(path, 1)[:, :, 0] * 255).astype(np.uint8))
    except ImageReadError:
        return QIcon()
    qimage = QImage(image.data, image.shape[1], image.shape[0], image.shape[1], QImage.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(qimage).scaled(96, 96, Qt.KeepAspectRatio, Qt.SmoothTransformation))


class DefectsPage(QWizardPage):
    """Page 4: an optional folder of defect examples, only used to measure."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Defect examples (optional)")
        self.setSubTitle("Images of faulty parts, if you have some. They are never trained on: they only measure "
                         "how well defects are caught and help choose thresholds.")
        self.folder, row = folder_row(self, "Folder of defect examples")
        self.summary = QLabel("No defect examples: thresholds come from good images alone.")
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.folder.textChanged.connect(self.completeChanged)

    def defects(self) -> Path | None:
        return Path(self.folder.text()) if self.folder.text().strip() else None

    def isComplete(self) -> bool:  # noqa: N802
        folder = self.defects()
        if folder is None:
            self.summary.setText("No defect examples: thresholds come from good images alone.")
            return True
        try:
            count = len(list_images(folder))
        except ImageReadError as error:
            self.summary.setText(str(error))
            return False
        self.summary.setText(f"{count} defect images.")
        return True


class ScalePage(QWizardPage):
    """Page 5: the physical scale (optional), measured on a reference image or typed, and the smallest
    defect to find, which sets the working resolution."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Physical scale and smallest defect (optional)")
        self.setSubTitle("Draw a line over a feature of known length on a good image and type that length, or type "
                         "millimetres per pixel. With a scale, defect regions are measured in mm and mm²; without, in pixels. "
                         "The smallest defect sets the scale the images are seen at.")
        self.editor = ScaleWidget()
        self.editor.sig_complete_changed.connect(self.completeChanged)
        self.resolution = WorkingResolutionRow()
        self.editor.sig_scale_changed.connect(lambda _: self._update_resolution())
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.resolution)

    def initializePage(self) -> None:  # noqa: N802
        self.wizard().show_reference(self.editor)
        self._update_resolution()

    def _update_resolution(self) -> None:
        wizard: CalibrationWizard = self.wizard()
        if wizard is not None:
            self.resolution.set_context(wizard.typical_shape(), wizard.model_config, self.editor.mm_per_pixel())

    def isComplete(self) -> bool:  # noqa: N802
        return self.editor.is_complete()


class InspectionAreaPage(QWizardPage):
    """Page 6: where parts are inspected (the mask) and which regions are too small to fail a part."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Inspection area and acceptance (optional)")
        self.setSubTitle("Paint or outline areas that are never inspected (fixture, edge, label), or outline the only "
                         "area that is. Regions under the minimum size below do not fail a part.")
        self.editor = MaskEditorWidget()
        self.rules = AcceptanceRulesWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.rules)

    def initializePage(self) -> None:  # noqa: N802
        wizard: CalibrationWizard = self.wizard()
        wizard.show_reference(self.editor)
        self.rules.set_scale(wizard.scale_page.editor.mm_per_pixel())

    def inspection(self) -> dict:
        """The profile's inspection settings as chosen on this page and the scale page."""
        wizard: CalibrationWizard = self.wizard()
        min_area, min_length = self.rules.rules()
        return {"mm_per_pixel": wizard.scale_page.editor.mm_per_pixel(), "min_area": min_area, "min_length": min_length}


class TrainingPage(QWizardPage):
    """Page 7: budget, training on the engine worker with a live loss chart, cancel and resume."""

    sig_train_requested = Signal(dict)
    """make_profile's settings for the engine worker."""

    def __init__(self, budgets: dict[str, TrainConfig]) -> None:
        super().__init__()
        self.setTitle("Training")
        self.setSubTitle("The model learns what good parts look like. Cancel keeps what it has learnt; Train resumes.")
        self.budgets = budgets
        self.prepared = None
        self.running = False
        self.choice = QButtonGroup(self)
        self.estimates: dict[str, QRadioButton] = {}
        budget_row = QHBoxLayout()
        for index, name in enumerate(budgets):
            button = QRadioButton(name)
            self.choice.addButton(button, index)
            self.estimates[name] = button
            budget_row.addWidget(button)
        self.choice.button(min(1, len(budgets) - 1)).setChecked(True)
        self.train_button = QPushButton("Train")
        self.cancel_button = QPushButton("Cancel training")
        self.cancel_button.setEnabled(False)
        budget_row.addStretch(1)
        budget_row.addWidget(self.train_button)
        budget_row.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("Not started.")
        self.status.setWordWrap(True)
        self.chart = pg.PlotWidget(title="Training loss")
        self.chart.setBackground("w")
        self.chart.setLabel("bottom", "step")
        self.curve = self.chart.plot([], [], pen=pg.mkPen("#37474f", width=2))
        self.losses: list[tuple[int, float]] = []
        layout = QVBoxLayout(self)
        layout.addLayout(budget_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.chart, 1)
        self.train_button.clicked.connect(self._on_train_button_clicked)

    def initializePage(self) -> None:  # noqa: N802
        wizard: CalibrationWizard = self.wizard()
        held_back = wizard.production_page.held_back_count()
        for name, config in self.budgets.items():
            budget = f"{config.max_seconds / 60:.0f} min" if config.max_seconds else f"{config.max_steps} steps"
            calibration = held_back * (1 + config.calibration_renderings) * CALIBRATION_S_PER_IMAGE
            self.estimates[name].setText(f"{name}: {budget} + about {calibration:.0f} s to calibrate")

    def settings(self) -> dict:
        wizard: CalibrationWizard = self.wizard()
        return {
            "images": Path(wizard.good_page.folder.text()),
            "name": wizard.name_page.name.text().strip(),
            "notes": wizard.name_page.notes.toPlainText().strip(),
            "defects": wizard.defects_page.defects(),
            "held_back": wizard.production_page.held_back_folder(),
            "inspection": wizard.area_page.inspection(),
            "mask": wizard.area_page.editor.mask(),
            "model_config": wizard.scale_page.resolution.working_config(wizard.model_config),
            "train_config": list(self.budgets.values())[self.choice.checkedId()],
        }

    def _on_train_button_clicked(self) -> None:
        self.prepared = None
        self.running = True
        self.losses = []
        self.curve.setData([], [])
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("Training…")
        self.completeChanged.emit()
        self.sig_train_requested.emit(self.settings())

    def on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.status.setText(message)

    def on_loss(self, step: int, loss: float) -> None:
        self.losses.append((step, loss))
        steps, values = zip(*self.losses)
        self.curve.setData(list(steps), list(values))

    def on_log(self, message: str) -> None:
        self.status.setText(message)

    def on_ended(self, prepared, message: str) -> None:
        """The job finished (``prepared`` set), was cancelled or failed (``message`` says which)."""
        self.running = False
        self.prepared = prepared
        self.train_button.setEnabled(True)
        self.train_button.setText("Train again" if prepared else "Resume training")
        self.cancel_button.setEnabled(False)
        self.status.setText(message)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.prepared is not None and not self.running


class ThresholdPage(QWizardPage):
    """Page 8: thresholds on the score histogram, by dragging or from a target false-reject rate."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Thresholds")
        self.setSubTitle("Scores above the NOK line are rejected; between the lines, parts go to review. Drag the "
                         "lines, or set the NOK line from the share of good parts you accept to reject.")
        self.good = np.zeros(0)
        self.defects = np.zeros(0)
        self.chart = pg.PlotWidget(title="Scores of held-back good images (green) and defect examples (red)")
        self.chart.setBackground("w")
        self.review_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#ef6c00", width=2, style=Qt.DashLine))
        self.nok_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#c62828", width=2))
        self.target = QDoubleSpinBox()
        self.target.setRange(0.0, 50.0)
        self.target.setDecimals(1)
        self.target.setSuffix(" %")
        self.target.setValue(1.0)
        self.apply_target = QPushButton("Set NOK from this false-reject rate")
        self.best_f1 = QPushButton("Use the F1-optimal threshold")
        self.readout = QLabel()
        self.readout.setTextFormat(Qt.RichText)
        self.readout.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Target false-reject rate on good parts"))
        row.addWidget(self.target)
        row.addWidget(self.apply_target)
        row.addWidget(self.best_f1)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.chart, 1)
        layout.addLayout(row)
        layout.addWidget(self.readout)
        self.apply_target.clicked.connect(self.set_from_target)
        self.best_f1.clicked.connect(self._on_best_f1_clicked)
        for line in (self.review_line, self.nok_line):
            line.sigPositionChanged.connect(self._on_line_moved)

    def initializePage(self) -> None:  # noqa: N802
        prepared = self.wizard().training_page.prepared
        entry = prepared.profile.entry()
        self.good = np.asarray(entry.good_scores, dtype=np.float64)
        self.defects = np.asarray(entry.defect_scores, dtype=np.float64)
        self.chart.clear()
        everything = np.concatenate([self.good, self.defects])
        edges = np.histogram_bin_edges(everything, bins=30)
        for scores, colour in ((self.good, (46, 125, 50, 150)), (self.defects, (198, 40, 40, 150))):
            if scores.size:
                counts, _ = np.histogram(scores, bins=edges)
                self.chart.addItem(pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts, brush=colour))
        self.chart.addItem(self.review_line)
        self.chart.addItem(self.nok_line)
        self.best_f1.setEnabled(self.defects.size > 0)
        self.set_thresholds(entry.thresholds)

    def set_thresholds(self, thresholds: Thresholds) -> None:
        self.nok_line.setValue(thresholds.nok)
        self.review_line.setValue(thresholds.review)

    def thresholds(self) -> Thresholds:
        nok = float(self.nok_line.value())
        return Thresholds(review=min(float(self.review_line.value()), nok), nok=nok)

    def set_from_target(self) -> None:
        """NOK at the smallest good score that at most the target share of good scores exceed."""
        nok = threshold_for_false_reject_rate(self.good, self.target.value() / 100)
        self.set_thresholds(Thresholds(review=min(float(self.review_line.value()), nok), nok=nok))

    def _on_best_f1_clicked(self) -> None:
        labels = np.concatenate([np.zeros(self.good.size), np.ones(self.defects.size)])
        best = best_f1_threshold(labels, np.concatenate([self.good, self.defects]))
        self.set_thresholds(Thresholds(review=min(float(self.review_line.value()), best.threshold), nok=best.threshold))

    def promises(self) -> tuple[Promise, Promise]:
        """What the lines promise now, on the held-back images (each counted once, however re-rendered)."""
        thresholds = self.thresholds()
        images = len(self.wizard().training_page.prepared.profile.training["held_back_images"])
        return threshold_promises(self.good, thresholds.review, thresholds.nok, images, nok_rate=self.target.value() / 100)

    def _on_line_moved(self) -> None:
        thresholds = self.thresholds()
        text = (
            f"NOK &gt; <b>{score_text(thresholds.nok)}</b>, REVIEW &gt; <b>{score_text(thresholds.review)}</b>.<br>"
            + "<br>".join(escape(p.text()) for p in self.promises())
        )
        if self.defects.size:
            caught = float(np.mean(self.defects > thresholds.nok))
            labels = np.concatenate([np.zeros(self.good.size), np.ones(self.defects.size)])
            best = best_f1_threshold(labels, np.concatenate([self.good, self.defects]))
            text += (
                f"<br>Defect examples caught (NOK): <b>{100 * caught:.0f} %</b> of {self.defects.size}. "
                f"F1-optimal NOK threshold: {score_text(best.threshold)} (F1 {best.f1:.2f})."
            )
        self.readout.setText(text)


class SummaryPage(QWizardPage):
    """Page 9: what Finish will save, and how small a synthetic defect the profile catches."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Summary")
        self.setSubTitle("Finish saves the profile; it is then ready for inspection.")
        self.text = QLabel()
        self.text.setTextFormat(Qt.RichText)
        self.text.setWordWrap(True)
        self.pod_plot = PodPlotWidget()
        self.pod_table = QLabel()
        self.pod_table.setTextFormat(Qt.RichText)
        self.pod_table.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.pod_plot, 1)
        layout.addWidget(self.pod_table)

    def initializePage(self) -> None:  # noqa: N802
        wizard: CalibrationWizard = self.wizard()
        profile = wizard.training_page.prepared.profile
        thresholds = wizard.threshold_page.thresholds()
        self._show_selftest(profile.selftest, thresholds.nok)
        training = profile.training
        self.text.setText(
            f"<b>{profile.name}</b><br>{profile.notes}<br><br>"
            f"Trained {training['steps']} steps in {training['seconds']:.0f} s on {training['device']} "
            f"(final loss {training['final_loss']:.4f}) with {len(training['train_images'])} good images; "
            f"{len(training['held_back_images'])} held back for calibration.<br>"
            f"Model space: {escape(space_line(training))}.<br>"
            f"Scorer {profile.default_scorer}: REVIEW &gt; {score_text(thresholds.review)}, NOK &gt; {score_text(thresholds.nok)}.<br>"
            + "".join(f"{escape(p.text())}<br>" for p in wizard.threshold_page.promises()) +
            f"{escape(AcceptanceRules.from_inspection(wizard.area_page.inspection()).describe()).capitalize()}; "
            f"{'an inspection mask' if wizard.area_page.editor.mask() is not None else 'no inspection mask'}."
        )

    def _show_selftest(self, record: dict, nok: float) -> None:
        """The self-test's POD curves and a90 per shape at the NOK threshold chosen on the previous page."""
        self.pod_plot.setVisible(bool(record))
        if not record:
            self.pod_table.setText("No detection-probability self-test was run.")
            return
        refitted = refit_record(record, nok)
        self.pod_plot.show_record(refitted)
        scale = refitted.get("mm_per_pixel")
        cells = {shape: PodFit.from_dict(fit).cells(scale) for shape, fit in refitted["fits"].items()}
        header = "".join(f"<th>&nbsp;{escape(key)}&nbsp;</th>" for key in next(iter(cells.values())))
        rows = "".join(
            f"<tr><td>{escape(SHAPE_LABELS.get(shape, shape))}</td>"
            + "".join(f"<td>&nbsp;{escape(value)}&nbsp;</td>" for value in row.values()) + "</tr>"
            for shape, row in cells.items()
        )
        self.pod_table.setText(
            f"<b>Detection-probability self-test</b> (hits at NOK &gt; {score_text(nok)})"
            f"<table><tr><th></th>{header}</tr>{rows}</table><i>{escape(refitted['note'])}</i>"
        )


class CalibrationWizard(QWizard):
    """Drives training on the app's engine worker; :meth:`result_profile` is what Finish returns."""

    def __init__(self, worker, parent: QWidget | None = None, *, budgets: dict[str, TrainConfig] | None = None,
                 model_config: ModelConfig | None = None, camera: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("New product profile")
        self.resize(900, 640)
        self.worker = worker
        self.model_config = model_config or default_config()
        self.name_page = NamePage()
        self.good_page = GoodImagesPage()
        self.production_page = ProductionImagesPage(camera)
        self.defects_page = DefectsPage()
        self.scale_page = ScalePage()
        self.area_page = InspectionAreaPage()
        self.training_page = TrainingPage(budgets or BUDGETS)
        self.threshold_page = ThresholdPage()
        self.summary_page = SummaryPage()
        for page in (self.name_page, self.good_page, self.production_page, self.defects_page, self.scale_page, self.area_page,
                     self.training_page, self.threshold_page, self.summary_page):
            self.addPage(page)
        self._reference: tuple[str, np.ndarray | None] = ("", None)
        page = self.training_page
        page.sig_train_requested.connect(worker.train)
        page.cancel_button.clicked.connect(lambda: worker.cancel())  # direct: the worker's thread is busy training
        self._connections = [
            (worker.sig_progress, page.on_progress),
            (worker.sig_loss, page.on_loss),
            (worker.sig_log, page.on_log),
            (worker.sig_trained, self._on_worker_trained),
            (worker.sig_cancelled, self._on_worker_cancelled),
            (worker.sig_failed, self._on_worker_failed),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)

    def show_reference(self, editor) -> None:
        """Put the reference image into a page's scale or mask editor (if there is one to show)."""
        reference = self.reference_image()
        if reference is not None:
            editor.set_image(reference)

    def reference_image(self) -> np.ndarray | None:
        """The first readable good image, to draw the scale and the mask on (None if there is none)."""
        check = self.good_page.check
        if check is None or not check.readable:
            return None
        path = check.folder / check.readable[0]
        if self._reference[0] != str(path):
            try:
                self._reference = (str(path), read_image(path, self.model_config.channels))
            except ImageReadError:
                self._reference = (str(path), None)
        return self._reference[1]

    def typical_shape(self) -> tuple[int, int] | None:
        """The typical good image's (height, width), None before a readable folder is chosen."""
        check = self.good_page.check
        return None if check is None else check.typical_shape()

    def _on_worker_trained(self, prepared) -> None:
        self.training_page.on_ended(prepared, f"Done: {prepared.profile.training['steps']} steps. Press Next.")

    def _on_worker_cancelled(self, job: str) -> None:
        if job == "train":
            self.training_page.on_ended(None, "Cancelled. What was learnt is kept: press Resume training to go on.")

    def _on_worker_failed(self, message: str, details: str) -> None:
        if self.training_page.running:
            self.training_page.on_ended(None, message)

    def reject(self) -> None:
        if self.training_page.running:
            self.worker.cancel()  # the checkpoint is kept; the same name resumes later
        super().reject()

    def done(self, result: int) -> None:
        for signal, slot in self._connections:  # the worker outlives the wizard
            signal.disconnect(slot)
        self._connections = []
        super().done(result)

    def result_profile(self):
        """The prepared profile with the chosen thresholds for its default scorer."""
        prepared = self.training_page.prepared
        prepared.profile.entry().thresholds = self.threshold_page.thresholds()
        prepared.profile.training[TARGETS_KEY] = {"nok": self.threshold_page.target.value() / 100, "review": REVIEW_FALSE_REJECT_RATE}
        # as the inspection-area page stands now (the user may have gone back after training)
        prepared.profile.inspection = self.area_page.inspection()
        prepared.mask = self.area_page.editor.mask()
        if prepared.profile.selftest:  # its hits are counted at the NOK threshold chosen here
            prepared.profile.selftest = refit_record(prepared.profile.selftest, prepared.profile.thresholds().nok)
        prepared.profile.record("thresholds set", f"REVIEW > {score_text(prepared.profile.thresholds().review)}, "
                                                  f"NOK > {score_text(prepared.profile.thresholds().nok)}")
        return prepared

    @classmethod
    def get_profile(cls, worker, parent: QWidget | None = None, **options):
        """Run the wizard; the prepared profile (for the caller to save), or ``None`` if cancelled."""
        wizard = cls(worker, parent, **options)
        return wizard.result_profile() if wizard.exec() == QWizard.Accepted else None
