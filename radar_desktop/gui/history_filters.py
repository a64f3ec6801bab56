"""The history tab's filter bar: date range, profile, verdict, lot, operator and file name."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QWidget

from radar_desktop.history.database import HistoryFilter

ANY = "Any"
VERDICT_CHOICES = {
    ANY: (), "OK": ("OK",), "REVIEW": ("REVIEW",), "NOK": ("NOK",), "Flagged (REVIEW + NOK)": ("REVIEW", "NOK"),
    "ERROR": ("ERROR",),
}
TYPING_PAUSE_MS = 300  # the name filter applies once typing pauses, not on every key


class HistoryFilterBar(QWidget):
    """Filter fields; emits the :class:`HistoryFilter` they make whenever one changes."""

    sig_changed = Signal(object)
    """The HistoryFilter now set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.from_check, self.from_edit = self._date_field("From")
        self.to_check, self.to_edit = self._date_field("To")
        self.profile_box = self._choice_box("Any profile")
        self.verdict_box = QComboBox()
        self.verdict_box.addItems(list(VERDICT_CHOICES))
        self.lot_box = self._choice_box("Any lot")
        self.operator_box = self._choice_box("Any operator")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("file name contains…")
        self.name_edit.setClearButtonEnabled(True)
        self._typing = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.from_check, self.from_edit, self.to_check, self.to_edit, self.profile_box,
                       QLabel("Verdict"), self.verdict_box, self.lot_box, self.operator_box, self.name_edit):
            row.addWidget(widget)
        row.setStretch(row.count() - 1, 1)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self._on_date_check_toggled)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_field_changed)
        for box in (self.profile_box, self.verdict_box, self.lot_box, self.operator_box):
            box.currentIndexChanged.connect(self._on_field_changed)
        self.name_edit.textChanged.connect(self._typing.start)
        self._typing.timeout.connect(self._on_field_changed)
        self._on_date_check_toggled()

    @staticmethod
    def _date_field(label: str) -> tuple[QCheckBox, QDateEdit]:
        check = QCheckBox(label)
        edit = QDateEdit(QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return check, edit

    @staticmethod
    def _choice_box(anything: str) -> QComboBox:
        box = QComboBox()
        box.addItem(anything, None)
        box.setMinimumContentsLength(10)
        return box

    def set_choices(self, profiles: list[str], lots: list[str], operators: list[str]) -> None:
        """Offer the values the history holds, keeping each box's choice where it is still offered."""
        for box, values in ((self.profile_box, profiles), (self.lot_box, lots), (self.operator_box, operators)):
            kept = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for value in values:
                box.addItem(value, value)
            box.setCurrentIndex(max(0, box.findData(kept)) if kept is not None else 0)
            box.blockSignals(False)

    def set_profile(self, name: str | None) -> None:
        """Filter on one profile (None: any), if the history holds it."""
        self.profile_box.setCurrentIndex(max(0, self.profile_box.findData(name)) if name else 0)

    def current(self) -> HistoryFilter:
        return HistoryFilter(
            date_from=_day(self.from_edit) if self.from_check.isChecked() else None,
            date_to=_day(self.to_edit) if self.to_check.isChecked() else None,
            profile_name=self.profile_box.currentData(),
            verdicts=VERDICT_CHOICES[self.verdict_box.currentText()],
            lot=self.lot_box.currentData(),
            operator=self.operator_box.currentData(),
            name=self.name_edit.text().strip(),
        )

    def _on_date_check_toggled(self, _checked: bool = False) -> None:
        self.from_edit.setEnabled(self.from_check.isChecked())
        self.to_edit.setEnabled(self.to_check.isChecked())
        self._on_field_changed()

    def _on_field_changed(self, *_args) -> None:
        self.sig_changed.emit(self.current())


def _day(edit: QDateEdit) -> date:
    return edit.date().toPython()
