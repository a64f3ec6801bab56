"""Regions, scale and mask as the operator window shows them (tiny profile, offscreen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from radar_desktop.profiles.manage import revise
from radar_desktop.profiles.profile import write_mask
from tests.synthetic import scan_folder

pytestmark = pytest.mark.gui


@pytest.fixture
def scaled_window(qtbot, tiny_profile, started_threads):
    """The window on the tiny profile given a scale of 0.1 mm per pixel and a masked top-left corner."""
    from tests.conftest import _open_window

    mask = np.ones((64, 64), np.uint8)
    mask[:6, :6] = 0

    def change(profile, folder):
        profile.inspection.update(mm_per_pixel=0.1, mask=True)
        write_mask(folder, mask)

    revise("tiny", change, "inspection changed")
    return _open_window(qtbot)


def test_flagged_rows_list_their_regions_in_mm_and_the_viewer_labels_them(scaled_window, qtbot, dataset, tmp_path):
    window = scaled_window
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000):
        window.open_paths([scan_folder(dataset, tmp_path)])
    model = window.files_tab.table.model
    column = 5
    assert model.headerData(column, pytest.importorskip("PySide6.QtCore").Qt.Horizontal) == "Regions"
    rows = {Path(o.path).name: model.data(model.index(i, column)) for i, o in enumerate(model.outcomes)}
    flagged = [name for name in rows if "_defect_" in name]
    assert all("mm²" in rows[name] and "mm" in rows[name] for name in flagged)
    row = next(i for i, o in enumerate(model.outcomes) if "_defect_" in o.path)
    window.files_tab.table.select_row(row)
    viewer = window.files_tab.viewer
    result = model.outcomes[row].result
    assert len(viewer.label_items) == 2 * min(len(result.regions), 10)
    assert viewer.label_items[0].toPlainText().startswith("1: ") and "mm²" in viewer.label_items[0].toPlainText()
    tint = viewer.mask_items[0].image
    assert tint is not None and tint[0, 0, 3] > 0 and tint[-1, -1, 3] == 0
    viewer.contour_box.setChecked(False)
    assert not any(label.isVisible() for label in viewer.label_items)
