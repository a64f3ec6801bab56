"""A folder path field with a Browse button, as the wizard's pages ask for folders."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget


def folder_row(parent: QWidget, caption: str) -> tuple[QLineEdit, QHBoxLayout]:
    """A folder path field with a Browse button."""
    edit = QLineEdit()
    browse = QPushButton("Browse…")
    browse.clicked.connect(lambda: edit.setText(QFileDialog.getExistingDirectory(parent, caption, edit.text()) or edit.text()))
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return edit, row
