"""The toolbar's operator and lot fields are remembered between runs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
QtCore = pytest.importorskip("PySide6.QtCore", reason="the no-Qt layer check blocks PySide6")

from radar_desktop.gui.session_fields import SessionFieldsWidget  # noqa: E402


def test_operator_and_lot_are_kept_in_the_settings(qtbot, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.IniFormat)
    fields = SessionFieldsWidget(settings)
    qtbot.addWidget(fields)
    assert fields.lot() == ""
    fields.lot_edit.setText(" Lot 42 ")
    fields.lot_edit.editingFinished.emit()
    fields.set_operator("Ana Lopez")
    settings.sync()
    again = SessionFieldsWidget(QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.IniFormat))
    qtbot.addWidget(again)
    assert (again.operator(), again.lot()) == ("Ana Lopez", "Lot 42")
