"""The bad-image corpus scanned in the operator window: one row per file, the reason shown for each refused one.

Run as root, where permission bits do not stop reads, the unreadable file is simulated: ``deny_unreadable`` makes
reading it raise PermissionError.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from radar_desktop.gui.results_table import COLUMNS  # noqa: E402
from tests.bad_images import deny_unreadable, write_corpus  # noqa: E402 (after the Qt check)

pytestmark = pytest.mark.gui

NAME, SCORE, VERDICT, MESSAGE = (COLUMNS.index(c) for c in ("Name", "Score", "Verdict", "Message"))


def test_results_table_shows_every_file_and_why_each_bad_one_was_refused(window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    cases = write_corpus(folder)
    deny_unreadable(monkeypatch)
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000) as done:
        window.open_paths([folder])
    assert done.args == [0]
    model = window.files_tab.table.model
    assert model.rowCount() == len(cases)
    for row, case in enumerate(cases):
        name, score, verdict, message = (model.data(model.index(row, column)) for column in (NAME, SCORE, VERDICT, MESSAGE))
        assert name == case.name
        if case.error is None:
            assert verdict in ("OK", "REVIEW", "NOK") and score and message == "", case.name
        else:
            assert verdict == "ERROR" and case.error in message and score == "", case.name
    refused = sum(case.error is not None for case in cases)
    assert f"{len(cases)} images" in window.status_label.text() and f"{refused} unreadable" in window.status_label.text()

    locked = next(row for row, case in enumerate(cases) if case.name == "locked.png")
    window.files_tab.table.select_row(locked)
    assert window.files_tab.viewer.header.text() == "locked.png: permission denied"
