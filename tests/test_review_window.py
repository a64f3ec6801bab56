"""The Review tab in the operator window: results of a scan wait there, a decision shows in the results
table and the report beside the machine verdict, and reviewed-good images recalibrate the profile."""

from __future__ import annotations

import pytest

from radar_desktop.profiles.inspection_settings import set_review_nok
from radar_desktop.profiles.store import open_profile
from radar_desktop.reports.entries import verdict_of
from tests.synthetic import scan_folder

pytestmark = pytest.mark.gui
review_queue = pytest.importorskip("radar_desktop.gui.review_queue", reason="the no-Qt layer check blocks PySide6")


@pytest.fixture
def reviewing_nok(tiny_profile):
    """The tiny profile set so that its NOK results wait for review too (before the window opens)."""
    return set_review_nok("tiny", True)


def tab_title(window) -> str:
    return window.tabs.tabText(window.tabs.indexOf(window.review_queue))


def test_a_scan_fills_the_review_tab_and_decisions_reach_table_report_and_profile(
    reviewing_nok, window, qtbot, dataset, tmp_path, monkeypatch
):
    with qtbot.waitSignal(window.sig_task_done, timeout=120_000):
        window.open_paths([scan_folder(dataset, tmp_path)])
    model = window.files_tab.table.model
    flagged = [o for o in model.outcomes if verdict_of(o) in ("REVIEW", "NOK")]
    assert flagged and len(flagged) < len(model.outcomes)
    queue = window.review_queue
    qtbot.waitUntil(lambda: queue.count == len(flagged), timeout=15_000)  # read once the job has ended
    assert tab_title(window) == f"Review ({len(flagged)})"

    window.tabs.setCurrentWidget(queue)
    first = queue.current_row()
    assert first is not None and first.record.verdict in ("REVIEW", "NOK")
    queue.reason_edit.setText("dust, not a scratch")
    with qtbot.waitSignal(queue.sig_decided, timeout=15_000):
        queue.decision_buttons["OK"].click()
    assert tab_title(window) == f"Review ({len(flagged) - 1})"
    row = next(i for i, o in enumerate(model.outcomes) if str(o.path) == first.record.path)
    assert model.reviews[row].decision == "OK" and model.machine_verdict(row) == first.record.verdict
    entry = window.files_tab.make_report("Ana").entries[row]
    assert entry.verdict == first.record.verdict and "OK" in entry.review and "dust, not a scratch" in entry.review

    monkeypatch.setattr(review_queue, "ask", lambda parent, title, text: True)
    queue.profile_box.setCurrentText("tiny")
    queue.profile_box.activated.emit(queue.profile_box.currentIndex())
    before = open_profile("tiny").content_hash
    heard = []
    window.worker.sig_recalibrated.connect(heard.append)  # (waitSignal's timer must not hear a worker thread)
    queue.recalibrate_button.click()
    qtbot.waitUntil(lambda: bool(heard), timeout=120_000)
    [result] = heard
    assert result.added == (first.record.path,) and result.content_hash != before
    assert queue.status_label.text().startswith("Profile tiny recalibrated with 1 reviewed-good images")
    profiles = window.profiles
    qtbot.waitUntil(lambda: profiles.profile is not None and profiles.profile.content_hash == result.content_hash,
                    timeout=60_000)  # the window inspects with the new thresholds from now on
    assert not window.jobs.busy
