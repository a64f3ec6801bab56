"""Who inspects, and which lot: the two labels every inspection record carries, remembered between runs."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from radar_desktop.core.records import login_name
from radar_desktop.history.recording import RecordContext
from radar_desktop.workers.engine_worker import LoadedProfile


class SessionFieldsWidget(QWidget):
    """Operator and lot (batch) fields for the toolbar; both are kept in ``settings`` as they are typed."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.operator_edit = QLineEdit(str(settings.value("operator", "") or login_name()))
        self.operator_edit.setPlaceholderText("operator")
        self.operator_edit.setMaximumWidth(140)
        self.lot_edit = QLineEdit(str(settings.value("lot", "") or ""))
        self.lot_edit.setPlaceholderText("lot or batch")
        self.lot_edit.setToolTip("The lot or batch being inspected; every result is recorded with it")
        self.lot_edit.setMaximumWidth(140)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(QLabel("Operator"))
        row.addWidget(self.operator_edit)
        row.addWidget(QLabel("Lot"))
        row.addWidget(self.lot_edit)
        self.operator_edit.editingFinished.connect(self._on_operator_edit_editing_finished)
        self.lot_edit.editingFinished.connect(self._on_lot_edit_editing_finished)

    def operator(self) -> str:
        return self.operator_edit.text().strip()

    def lot(self) -> str:
        return self.lot_edit.text().strip()

    def signer(self) -> str:
        """Who reports and records are filed under: the operator field, else the login name."""
        return self.operator() or login_name()

    def record_context(self, origin: str, profile: LoadedProfile) -> RecordContext:
        """What the history records with each result: the profile it came from, operator and lot."""
        return RecordContext(
            origin=origin,
            profile_name=profile.name,
            profile_hash=profile.content_hash,
            scorer=profile.scorer,
            thresholds=profile.thresholds,
            lot=self.lot(),
            operator=self.signer(),
            mm_per_pixel=profile.inspection.get("mm_per_pixel"),
            map_range=profile.map_range,
        )

    def set_operator(self, name: str) -> None:
        """Take the name given elsewhere (the report dialog) and remember it."""
        self.operator_edit.setText(name)
        self._on_operator_edit_editing_finished()

    def _on_operator_edit_editing_finished(self) -> None:
        self.settings.setValue("operator", self.operator())

    def _on_lot_edit_editing_finished(self) -> None:
        self.settings.setValue("lot", self.lot())
