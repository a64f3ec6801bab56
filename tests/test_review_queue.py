"""The Review tab: pending results listed, a decision stored beside the machine verdict through the history
writer's thread, the list moving on, the count following; pictures from the file or the stored thumbnail;
the recalibration request; decisions in the session's results table."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

pytestmark = pytest.mark.gui
QtCore = pytest.importorskip("PySide6.QtCore", reason="the no-Qt layer check blocks PySide6")

from radar_desktop.core.records import InspectionResult, ScanOutcome  # noqa: E402
from radar_desktop.core.resources import samples_folder  # noqa: E402
from radar_desktop.core.verdict import Thresholds, Verdict  # noqa: E402
from radar_desktop.engine.jobs.scan import thumbnail
from radar_desktop.gui import review_queue  # noqa: E402
from radar_desktop.gui.profile_manager import ProfileManagerDialog  # noqa: E402
from radar_desktop.gui.results_table import ResultsModel  # noqa: E402
from radar_desktop.gui.review_queue import ReviewQueueWidget  # noqa: E402
from radar_desktop.history.database import HistoryDatabase, Review  # noqa: E402
from radar_desktop.history.recording import RecordContext  # noqa: E402
from radar_desktop.history.writer import HistoryWriter, ReviewResult  # noqa: E402
from radar_desktop.profiles.demo import install_demo_if_empty  # noqa: E402
from radar_desktop.profiles.recalibration import GoodImage  # noqa: E402
from radar_desktop.sources.images import read_image  # noqa: E402

THRESHOLDS = Thresholds(review=0.5, nok=0.8)


class Bridge(QtCore.QObject):
    """What the window does: the writer's answer, emitted on its thread, arrives on the GUI thread."""

    sig_review_stored = QtCore.Signal(object)
    """ReviewResult from the history writer's thread."""


def scan_outcome(path, score: float, verdict: Verdict, minute: int) -> ScanOutcome:
    image = read_image(path, 1)
    anomaly = np.zeros(image.shape[:2], np.float32)
    anomaly[20:40, 30:60] = score
    result = InspectionResult(str(path), "features", anomaly, score, verdict)
    return ScanOutcome(str(path), result, None, 30.0, thumbnail(image), f"2026-12-02T10:{minute:02d}:00+01:00")


def record(rows, tmp_path, profile: str = "Tile A") -> list[int]:
    """Inspections of copies of the shipped samples, through the writer; their ids in order."""
    writer = HistoryWriter(RecordContext(origin="folder"))
    for minute, (name, score, verdict) in enumerate(rows):
        path = tmp_path / name
        shutil.copy(samples_folder() / ("01_good.png" if minute % 2 else "05_scratch.png"), path)
        context = RecordContext(origin="folder", profile_name=profile, profile_hash="c" * 64, scorer="features",
                                thresholds=THRESHOLDS, operator="carla", map_range=(0.0, 1.0))
        writer.submit(scan_outcome(path, score, verdict, minute), context)
    assert writer.flush(timeout=30) and writer.close()
    with HistoryDatabase() as database:
        return [row.id for row in database.query(order_by="id", descending=False)]


def listed(widget: ReviewQueueWidget) -> list[str]:
    return [widget.list.topLevelItem(i).text(1) for i in range(widget.list.topLevelItemCount())]


@pytest.fixture
def writer_bridge():
    bridge = Bridge()
    writer = HistoryWriter(RecordContext(origin="folder"), on_reviewed=bridge.sig_review_stored.emit)
    yield writer, bridge
    assert writer.close()


def queue(qtbot, writer_bridge, **options) -> ReviewQueueWidget:
    writer, bridge = writer_bridge
    widget = ReviewQueueWidget(writer.submit_review, lambda: "ann", **{"nok_profiles": lambda: (), **options})
    bridge.sig_review_stored.connect(widget.review_stored)
    qtbot.addWidget(widget)
    widget.resize(1100, 650)
    widget.show()
    return widget


def test_pending_results_are_listed_and_nok_ones_only_for_profiles_that_ask(qtbot, writer_bridge, tmp_path):
    record([("a.png", 0.6, Verdict.REVIEW), ("b.png", 0.9, Verdict.NOK), ("c.png", 0.2, Verdict.OK),
            ("d.png", 0.7, Verdict.REVIEW)], tmp_path)
    widget = queue(qtbot, writer_bridge)
    assert listed(widget) == ["a.png", "d.png"] and widget.count_label.text() == "2 waiting"
    assert widget.scope_label.text() == "REVIEW results"
    asking = queue(qtbot, writer_bridge, nok_profiles=lambda: {"Tile A"})
    assert listed(asking) == ["a.png", "b.png", "d.png"] and asking.count == 3
    asking.order_box.setCurrentText("Newest first")
    asking.order_box.activated.emit(1)
    assert listed(asking) == ["d.png", "b.png", "a.png"]
    assert asking.current_row().record.name == "a.png"  # the row being looked at stays selected
    assert "a.png" in asking.header.text() and "REVIEW" in asking.header.text()


def test_a_decision_is_stored_beside_the_verdict_and_the_list_moves_on(qtbot, writer_bridge, tmp_path):
    ids = record([("a.png", 0.6, Verdict.REVIEW), ("b.png", 0.65, Verdict.REVIEW), ("c.png", 0.7, Verdict.REVIEW)], tmp_path)
    widget = queue(qtbot, writer_bridge)
    counts = []
    widget.sig_count_changed.connect(counts.append)
    assert widget.current_row().id == ids[0]
    widget.reason_edit.setText("  dust,   not a scratch ")
    with qtbot.waitSignal(widget.sig_decided, timeout=30_000) as decided:
        qtbot.mouseClick(widget.decision_buttons["OK"], QtCore.Qt.LeftButton)
        # the list moves on at once, before the writer has answered
        assert listed(widget) == ["b.png", "c.png"] and widget.current_row().id == ids[1]
        assert widget.count_label.text() == "2 waiting" and widget.reason_edit.text() == ""
    review = decided.args[0]
    assert (review.inspection_id, review.decision, review.reason, review.reviewer) == (ids[0], "OK", "dust, not a scratch", "ann")
    assert "stored" in widget.status_label.text() and "REVIEW is kept" in widget.status_label.text()

    qtbot.keyClicks(widget.reason_edit, "ox")  # typed into the reason, not taken as decisions
    assert widget.reason_edit.text() == "ox" and listed(widget) == ["b.png", "c.png"]
    widget.reason_edit.clear()
    widget.list.setFocus()
    with qtbot.waitSignal(widget.sig_decided, timeout=30_000) as decided:
        qtbot.keyClick(widget.list, QtCore.Qt.Key_X)  # the NOK shortcut
    assert decided.args[0].decision == "NOK" and decided.args[0].inspection_id == ids[1]
    assert listed(widget) == ["c.png"] and counts == [2, 1]
    with HistoryDatabase() as database:
        first, second = database.get(ids[0]), database.get(ids[1])
    assert (first.record.verdict, first.final_verdict, first.review.reason) == ("REVIEW", "OK", "dust, not a scratch")
    assert (second.record.verdict, second.final_verdict) == ("REVIEW", "NOK")
    widget.refresh()
    assert listed(widget) == ["c.png"] and widget.count == 1


def test_a_decision_the_history_refused_puts_the_row_back(qtbot, tmp_path):
    ids = record([("a.png", 0.6, Verdict.REVIEW), ("b.png", 0.6, Verdict.REVIEW)], tmp_path)
    sent = []
    widget = ReviewQueueWidget(lambda *args: sent.append(args), lambda: "", nok_profiles=lambda: ())
    qtbot.addWidget(widget)
    widget.decide("NOK")
    assert sent == [(ids[0], "NOK", "", review_queue.login_name())]  # no operator given: the login name
    assert listed(widget) == ["b.png"]
    widget.refresh()
    assert listed(widget) == ["b.png"] and widget.count == 1  # sent, not stored yet: not offered twice
    widget.review_stored(ReviewResult(ids[0], None, "the decision was not stored: database is locked"))
    assert listed(widget) == ["a.png", "b.png"] and widget.count == 2
    assert "database is locked" in widget.status_label.text()


def test_the_image_comes_from_its_file_while_unchanged_else_from_the_thumbnail(qtbot, writer_bridge, tmp_path):
    record([("a.png", 0.6, Verdict.REVIEW), ("b.png", 0.6, Verdict.REVIEW)], tmp_path)
    widget = queue(qtbot, writer_bridge)
    assert widget.image_caption.text() == "Image: the inspected file"
    shown = widget.pictures.items[0].image
    assert shown.shape == (256, 256) and widget.pictures.items[1].image.shape[:2] == (256, 256)
    cv2.imwrite(str(tmp_path / "b.png"), np.zeros((256, 256), np.uint8))  # changed since it was inspected
    widget.select(widget.current_row().id + 1)
    assert widget.image_caption.text() == "Image: stored thumbnail (the file is moved or changed)"
    assert widget.pictures.items[0].image is not None


def test_recalibrating_asks_first_then_requests_the_images_reviewed_ok(qtbot, writer_bridge, tmp_path, monkeypatch):
    demo = install_demo_if_empty()
    ids = record([("a.png", 0.6, Verdict.REVIEW), ("b.png", 0.6, Verdict.REVIEW), ("c.png", 0.6, Verdict.REVIEW)],
                 tmp_path, profile=demo.name)
    with HistoryDatabase() as database:
        database.add_review(ids[0], "OK", reviewer="ann")
        database.add_review(ids[1], "NOK", reviewer="ann")
        expected = GoodImage(str(tmp_path / "a.png"), database.get(ids[0]).record.sha256)
    widget = queue(qtbot, writer_bridge)
    assert not widget.recalibrate_button.isEnabled()  # all profiles: which one is not said
    widget.profile_box.setCurrentText(demo.name)
    widget.profile_box.activated.emit(1)
    assert widget.recalibrate_button.isEnabled() and listed(widget) == ["c.png"]
    questions, requests = [], []
    widget.sig_recalibrate_requested.connect(lambda name, images: requests.append((name, images)))
    monkeypatch.setattr(review_queue, "ask", lambda parent, title, text: questions.append(text) or False)
    widget.recalibrate_button.click()
    assert requests == [] and "Add 1 image reviewed OK to the held-back set of profile “Demo lattice”" in questions[0]
    monkeypatch.setattr(review_queue, "ask", lambda parent, title, text: True)
    widget.recalibrate_button.click()
    assert requests == [(demo.name, (expected,))]


def test_the_results_table_shows_a_decision_after_the_machine_verdict(qtbot, tmp_path):
    shutil.copy(samples_folder() / "05_scratch.png", tmp_path / "a.png")
    model = ResultsModel()
    flagged, other = scan_outcome(tmp_path / "a.png", 0.6, Verdict.REVIEW, 0), scan_outcome(tmp_path / "a.png", 0.9, Verdict.NOK, 1)
    model.append(flagged)
    model.append(other)
    model.set_inspection_ids([(flagged, 41), (scan_outcome(tmp_path / "a.png", 0.6, Verdict.REVIEW, 2), 99)])
    review = Review(7, 41, "OK", "dust", "ann", "2026-12-02T14:03:00+01:00")
    assert model.set_review(review) and not model.set_review(Review(8, 42, "NOK", "", "bob", "2026-12-02T14:04:00+01:00"))
    verdict = model.index(0, 3)
    assert model.data(verdict) == "REVIEW → OK (ann)" and model.data(model.index(1, 3)) == "NOK"
    assert model.data(verdict, QtCore.Qt.ToolTipRole).endswith("reviewed OK by ann, 2026-12-02 14:03: dust")
    assert model.review_text(0) == "OK by ann, 2026-12-02 14:03: dust" and model.review_text(1) == ""
    model.clear()
    model.append(flagged)
    assert not model.set_review(review)  # the ids of a cleared table are forgotten


def test_the_profile_manager_sets_whether_nok_results_wait_for_review(qtbot, monkeypatch):
    demo = install_demo_if_empty()
    dialog = ProfileManagerDialog(select=demo.name)
    qtbot.addWidget(dialog)
    assert dialog.buttons["Review queue"].isEnabled()
    monkeypatch.setattr(review_queue.QMessageBox, "question", lambda *args: review_queue.QMessageBox.Yes)
    dialog.buttons["Review queue"].click()
    assert dialog.changed and dialog.profiles[demo.name].review_nok
    assert "review queue  REVIEW and NOK results wait for review" in dialog.details.toPlainText()
