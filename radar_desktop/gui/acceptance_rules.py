"""The acceptance rule's two minimum sizes, as the wizard and the profile manager edit them."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

from radar_desktop.core.regions import units
from radar_desktop.gui.editor_dialog import EditorDialog


class AcceptanceRulesWidget(QWidget):
    """"Ignore regions under [area] or shorter than [length]", in the scale's units (0: no minimum)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.min_area = QDoubleSpinBox()
        self.min_length = QDoubleSpinBox()
        for box in (self.min_area, self.min_length):
            box.setRange(0.0, 1e6)
            box.setDecimals(4)
            box.setSpecialValueText("no minimum")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Ignore regions under"))
        row.addWidget(self.min_area)
        row.addWidget(QLabel("or shorter than"))
        row.addWidget(self.min_length)
        row.addStretch(1)
        self.set_scale(None)

    def set_scale(self, mm_per_pixel: float | None) -> None:
        """Show the units of a profile with this scale (mm² and mm) or without (px² and px)."""
        area_unit, length_unit = units(mm_per_pixel)
        self.min_area.setSuffix(f" {area_unit}")
        self.min_length.setSuffix(f" {length_unit}")

    def set_rules(self, min_area: float, min_length: float) -> None:
        self.min_area.setValue(min_area)
        self.min_length.setValue(min_length)

    def rules(self) -> tuple[float, float]:
        """(minimum area, minimum length)."""
        return self.min_area.value(), self.min_length.value()


class AcceptanceRulesDialog(EditorDialog):
    """Edits a stored profile's rule; :meth:`edit` returns the new minimums or None when cancelled."""

    def __init__(self, min_area: float, min_length: float, mm_per_pixel: float | None, parent: QWidget | None = None) -> None:
        hint = QLabel("A flagged part whose every defect region is under these sizes passes; its record names the rule. "
                      "Sizes are in mm with the profile's scale, else in pixels.")
        hint.setWordWrap(True)
        super().__init__("Acceptance rule", AcceptanceRulesWidget(), parent, hint)
        self.editor.set_scale(mm_per_pixel)
        self.editor.set_rules(min_area, min_length)

    @classmethod
    def edit(cls, parent: QWidget | None, min_area: float, min_length: float,
             mm_per_pixel: float | None) -> tuple[float, float] | None:
        dialog = cls(min_area, min_length, mm_per_pixel, parent)
        return dialog.run(dialog.editor.rules)
