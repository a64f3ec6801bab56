"""The Qt binding itself: a build that loses references to None, True or False crashes long sessions."""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.gui


def test_qt_calls_keep_the_reference_counts_of_none_and_booleans(qapp):
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QLabel

    class Emitter(QObject):
        sig_value = Signal(int, float)

    label, emitter = QLabel("x"), Emitter()
    before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(2000):
        qapp.processEvents()
        label.setText("y")
        emitter.sig_value.emit(1, 2.0)
    after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    assert all(abs(a - b) < 200 for a, b in zip(after, before)), (before, after)  # 6,000 calls; a leak shows -2,000 or more
