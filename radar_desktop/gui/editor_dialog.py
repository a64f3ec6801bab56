"""An editor widget with OK and Cancel under it: the mask, scale and acceptance-rule dialogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

T = TypeVar("T")


class EditorDialog(QDialog):
    """Shows ``editor`` (above an optional ``hint``) with OK and Cancel; :meth:`run` returns what OK keeps."""

    def __init__(self, title: str, editor: QWidget, parent: QWidget | None = None, hint: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.editor = editor
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        layout = QVBoxLayout(self)
        if hint is not None:
            layout.addWidget(hint)
        layout.addWidget(editor, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def run(self, result: Callable[[], T]) -> T | None:
        """Show the dialog modally: ``result()`` when accepted, None when cancelled."""
        try:
            return result() if self.exec() == QDialog.Accepted else None
        finally:
            self.deleteLater()
