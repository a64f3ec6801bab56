"""The profile manager: every profile in the store (broken ones with the reason), its details, and
duplicate, rename, delete (to the trash), export and import; the scale, inspection mask, acceptance
rule and review queue are edited here too (each change a new version of the profile)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from radar_desktop.gui.acceptance_rules import AcceptanceRulesDialog
from radar_desktop.gui.mask_editor import MaskEditorDialog
from radar_desktop.gui.scale_editor import ScaleDialog
from radar_desktop.profiles import inspection_settings, manage
from radar_desktop.profiles.profile import ProfileError
from radar_desktop.profiles.store import list_profiles
from radar_desktop.profiles.summary import profile_summary
from radar_desktop.sources.images import ImageReadError, read_image

BROKEN_ROLE = Qt.UserRole + 1  # the reason a listed profile is broken, or None
FILE_FILTER = f"RADAR profiles (*{manage.EXTENSION})"


class ProfileManagerDialog(QDialog):
    """Lists the store; every action refreshes the list. ``changed`` tells the caller to reload profiles."""

    def __init__(self, parent: QWidget | None = None, select: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Profiles")
        self.resize(980, 560)
        self.changed = False
        self.list = QListWidget()
        self.list.setMinimumWidth(240)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.buttons = {}
        column = QVBoxLayout()
        for label, handler in (
            ("Duplicate…", self._on_duplicate_clicked),
            ("Rename…", self._on_rename_clicked),
            ("Delete", self._on_delete_clicked),
            ("Export…", self._on_export_clicked),
            ("Import…", self._on_import_clicked),
            ("Scale…", self._on_scale_clicked),
            ("Inspection mask…", self._on_mask_clicked),
            ("Acceptance rule…", self._on_rules_clicked),
            ("Review queue…", self._on_review_queue_clicked),
        ):
            button = QPushButton(label)
            button.clicked.connect(handler)
            column.addWidget(button)
            self.buttons[label.rstrip("…")] = button
        column.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addWidget(self.details, 1)
        body.addLayout(column)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.refresh(select)

    # ----- listing
    def refresh(self, select: str | None = None) -> None:
        good, broken = list_profiles()
        self.profiles = {p.name: p for p in good}
        self.list.clear()
        for profile in good:
            self.list.addItem(profile.name)
        for item in broken:
            entry = QListWidgetItem(f"{item.name} (broken)")
            entry.setData(Qt.UserRole, item.name)
            entry.setData(BROKEN_ROLE, item.reason)
            entry.setForeground(QColor("#c62828"))
            entry.setToolTip(item.reason)
            self.list.addItem(entry)
        names = self.names()
        if names:
            self.list.setCurrentRow(names.index(select) if select in names else 0)
        else:
            self.details.setPlainText("No profiles yet. Train one, or import a .radarprofile file.")
        self._update_buttons()

    def names(self) -> list[str]:
        return [self._name(self.list.item(i)) for i in range(self.list.count())]

    @staticmethod
    def _name(item: QListWidgetItem) -> str:
        return item.data(Qt.UserRole) or item.text()

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return self._name(item) if item is not None else None

    def _on_list_current_item_changed(self, item: QListWidgetItem | None, previous) -> None:
        if item is None:
            return
        reason = item.data(BROKEN_ROLE)
        if reason:
            self.details.setPlainText(f"This profile cannot be loaded:\n\n{reason}\n\nIt is left as it is; delete it to move it to the trash.")
        else:
            self.details.setPlainText(profile_summary(self.profiles[self._name(item)], listed_images=40))
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.list.currentItem()
        usable = item is not None and not item.data(BROKEN_ROLE)
        for key in ("Duplicate", "Rename", "Export", "Scale", "Inspection mask", "Acceptance rule", "Review queue"):
            self.buttons[key].setEnabled(usable)
        self.buttons["Delete"].setEnabled(item is not None)

    # ----- actions (callable directly, as tests do; the buttons ask for names and files first)
    def duplicate(self, new_name: str) -> bool:
        return self._act(lambda: manage.duplicate(self.current_name(), new_name).name)

    def rename(self, new_name: str) -> bool:
        return self._act(lambda: manage.rename(self.current_name(), new_name).name)

    def delete(self) -> bool:
        def move_to_trash() -> None:
            manage.delete(self.current_name())

        return self._act(move_to_trash)

    def export(self, path: Path) -> bool:
        name = self.current_name()

        def write() -> str:
            manage.export_profile(name, path)
            return name

        return self._act(write)

    def import_file(self, path: Path, new_name: str | None = None) -> bool:
        return self._act(lambda: manage.import_profile(path, new_name).name)

    def set_scale(self, mm_per_pixel: float | None) -> bool:
        return self._act(lambda: inspection_settings.set_scale(self.current_name(), mm_per_pixel).name)

    def set_mask(self, mask: np.ndarray | None) -> bool:
        return self._act(lambda: inspection_settings.set_mask(self.current_name(), mask).name)

    def set_rules(self, min_area: float, min_length: float) -> bool:
        return self._act(lambda: inspection_settings.set_rules(self.current_name(), min_area, min_length).name)

    def set_review_nok(self, enabled: bool) -> bool:
        return self._act(lambda: inspection_settings.set_review_nok(self.current_name(), enabled).name)

    def _act(self, action) -> bool:
        """Run an action; refresh and select what it returns; errors go to a dialog, the store stays as it was."""
        try:
            selected = action()
        except (ProfileError, OSError) as error:
            self.show_error(str(error))
            return False
        self.changed = True
        self.refresh(selected)
        return True

    def show_error(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Warning, "Profiles", message, QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    def _ask_name(self, title: str, suggestion: str) -> str | None:
        name, ok = QInputDialog.getText(self, title, "New name:", text=suggestion)
        return name.strip() if ok and name.strip() else None

    def _on_duplicate_clicked(self) -> None:
        if name := self._ask_name("Duplicate profile", f"{self.current_name()} copy"):
            self.duplicate(name)

    def _on_rename_clicked(self) -> None:
        if name := self._ask_name("Rename profile", self.current_name()):
            self.rename(name)

    def _on_delete_clicked(self) -> None:
        answer = QMessageBox.question(
            self, "Delete profile", f"Move {self.current_name()!r} to the trash folder? It can be restored from there."
        )
        if answer == QMessageBox.Yes:
            self.delete()

    def _on_export_clicked(self) -> None:
        suggested = str(Path.home() / f"{self.current_name()}{manage.EXTENSION}")
        path, _ = QFileDialog.getSaveFileName(self, "Export profile", suggested, FILE_FILTER)
        if path:
            self.export(Path(path))

    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import profile", str(Path.home()), FILE_FILTER)
        if path:
            self.import_file(Path(path))

    def _reference_image(self) -> np.ndarray | None:
        """The profile's first training image, or one the user picks when that has moved."""
        profile = self.profiles[self.current_name()]
        image = inspection_settings.reference_image(profile)
        if image is not None:
            return image
        path, _ = QFileDialog.getOpenFileName(
            self, "The training images have moved: pick an image of the part to draw on", str(Path.home()),
            "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff)",
        )
        if not path:
            return None
        try:
            return read_image(Path(path), int(profile.preprocessing.get("channels", 1)))
        except ImageReadError as error:
            self.show_error(str(error))
            return None

    def _on_scale_clicked(self) -> None:
        profile = self.profiles[self.current_name()]
        chosen = ScaleDialog.edit(self, inspection_settings.reference_image(profile), profile.inspection.get("mm_per_pixel"))
        if chosen is not None:
            self.set_scale(chosen.mm_per_pixel)

    def _on_mask_clicked(self) -> None:
        image = self._reference_image()
        if image is None:
            return
        try:
            current = self.profiles[self.current_name()].inspection_mask()
        except ProfileError as error:
            self.show_error(str(error))
            return
        chosen = MaskEditorDialog.edit(self, image, current)
        if chosen is not None:
            self.set_mask(chosen.mask)

    def _on_review_queue_clicked(self) -> None:
        profile = self.profiles[self.current_name()]
        answer = QMessageBox.question(
            self, "Review queue",
            f"Should NOK results of {profile.name!r} wait for a person's review too? REVIEW results always do.\n\n"
            f"Now: {inspection_settings.review_queue_text(profile.review_nok)}.",
            QMessageBox.Yes | QMessageBox.No | QMessageBox.Cancel,
        )
        if answer != QMessageBox.Cancel and (answer == QMessageBox.Yes) != profile.review_nok:
            self.set_review_nok(answer == QMessageBox.Yes)

    def _on_rules_clicked(self) -> None:
        inspection = self.profiles[self.current_name()].inspection
        chosen = AcceptanceRulesDialog.edit(
            self, float(inspection.get("min_area") or 0.0), float(inspection.get("min_length") or 0.0),
            inspection.get("mm_per_pixel"),
        )
        if chosen is not None:
            self.set_rules(*chosen)
