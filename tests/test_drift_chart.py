"""The drift chart widget: a profile's history on its control chart, the signals in its status line."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtCore", reason="the no-Qt layer check blocks PySide6")

from radar_desktop.gui.drift_chart import EMPTY, DriftChartWidget  # noqa: E402
from tests.drift_history import calibrated_profile, fill_history  # noqa: E402
from tests.test_drift import DRIFT_FROM, _steady_then_shifted  # noqa: E402


@pytest.fixture
def chart(qtbot, tmp_path):
    path = tmp_path / "history.sqlite3"
    widget = DriftChartWidget(path)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget, path


def _shown(widget) -> dict[str, int]:
    return {verdict: len(item.data) for verdict, item in widget.points.items()}


def test_a_drift_is_charted_and_its_signals_named(chart, qtbot):
    widget, path = chart
    profile, other = calibrated_profile(), calibrated_profile("Bracket")
    scores = _steady_then_shifted()
    scores[10] = 0.5  # a NOK part: rule 1
    fill_history(path, profile, scores)
    with qtbot.waitSignal(widget.sig_refreshed) as refreshed:
        widget.set_profiles([other, profile])
    assert refreshed.args == [{}] and widget.status.text() == EMPTY  # Bracket, first in order, has no history

    widget.show_profile("Tile A")
    assert _shown(widget) == {"OK": 59, "REVIEW": 0, "NOK": 1}
    flagged = [10, *range(DRIFT_FROM + 3, 60)]
    np.testing.assert_array_equal(widget.rings.data["x"], np.asarray(widget.record["epochs"])[flagged])
    status, promise = widget.status.text().split("\n")
    assert promise == (
        "False-reject promise kept: 0 of 59 good parts flagged (0.0 %), 0 rejected NOK (0.0 %) in the last 60 "
        "inspections; 1 flagged part not reviewed yet."
    )
    assert status.startswith("60 inspections of Tile A since 2026-11-30; 18 signals: ")
    assert status.endswith("rule 3 and rule 4 at 09:58 …")
    assert widget.plot.getAxis("left").labelText == "image score"

    widget.kind_box.setCurrentIndex(widget.kind_box.findData("ewma"))  # the choice redraws
    assert widget.record["kind"] == "ewma" and widget.rings.data.size > 0
    assert "EWMA limit at" in widget.status.text() and widget.zones[0].xData is None

    widget.set_profiles([profile])  # profiles reloaded: the one shown stays
    assert widget.profile_box.currentText() == "Tile A" and len(widget.record["scores"]) == 60


def test_an_empty_history_shows_the_empty_message_and_creates_no_file(chart):
    widget, path = chart
    widget.set_profiles([calibrated_profile()])
    assert widget.status.text() == EMPTY and _shown(widget) == {"OK": 0, "REVIEW": 0, "NOK": 0}
    assert not path.exists()
    with pytest.raises(ValueError, match="no profile"):
        widget.show_profile("Tile C")


def test_a_calibration_without_spread_is_named_in_the_status_line(chart):
    widget, path = chart
    profile = calibrated_profile()
    profile.entry().good_scores = [0.1, 0.1]
    fill_history(path, profile, np.full(5, 0.1))
    widget.set_profiles([profile])
    assert widget.status.text().startswith("Cannot chart Tile A: control limits need calibration scores that vary")
    assert widget.record == {} and _shown(widget)["OK"] == 0


def test_a_broken_false_reject_promise_is_shaded_and_named_with_what_to_do(chart):
    from tests.drift_history import drifting_scores, review_flagged_as_good

    widget, path = chart
    profile = calibrated_profile()
    fill_history(path, profile, drifting_scores(400, drift_from=200, seed=1) + np.r_[np.zeros(200), np.full(200, 0.04)])
    widget.set_profiles([profile])
    assert not widget.broken_regions and "False-reject promise kept" in widget.status.text()
    review_flagged_as_good(path, profile.name)
    widget.refresh()
    assert len(widget.broken_regions) >= 1
    first, _ = widget.broken_regions[0].getRegion()
    assert first >= widget.record["epochs"][200]
    assert "False-reject promise broken" in widget.status.text() and "Recalibrate" in widget.status.text()


def test_the_history_tab_warns_while_filtered_on_a_profile_that_breaks_its_promise(qtbot, tiny_profile):
    from radar_desktop.gui.history_view import HistoryWidget
    from radar_desktop.history.database import default_path
    from tests.drift_history import drifting_scores, review_flagged_as_good

    path = default_path()
    fill_history(path, tiny_profile, drifting_scores(300, drift_from=100, seed=2) + np.r_[np.zeros(100), np.full(200, 0.05)])
    widget = HistoryWidget(path, operator=lambda: "ann", ask_report=lambda *args: None)
    qtbot.addWidget(widget)
    widget.show()
    widget.refresh()
    widget.show_profile(tiny_profile.name)
    assert widget.promise.isHidden()  # flagged, but nobody has said they were good
    review_flagged_as_good(path, tiny_profile.name)
    widget.refresh()
    assert widget.promise.isVisible() and widget.promise.text().startswith("False-reject promise broken:")
    widget.show_profile(None)
    assert widget.promise.isHidden()
    widget.close_database()
