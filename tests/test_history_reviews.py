"""Review decisions in the history: written by the writer's thread beside the machine verdict, the ids of
committed rows handed back by key, the queue (REVIEW, and NOK for profiles that ask), reviewed-good images,
and the decision in the history CSV."""

from __future__ import annotations

import csv
import threading

import pytest

from radar_desktop.history.database import HistoryDatabase, HistoryFilter
from radar_desktop.history.export import write_history_csv
from radar_desktop.history.recording import HistoryRecord
from radar_desktop.history.review_queue import pending_count, pending_rows, reviewed_good
from radar_desktop.history.writer import HistoryWriter, ReviewResult
from radar_desktop.profiles.recalibration import GoodImage
from tests.test_history_writer import CONTEXT, outcome


def stored(rows: list[tuple[str, str, str]]) -> list[int]:
    """Insert (time, profile, verdict) rows; their ids in order."""
    with HistoryDatabase() as database:
        return database.insert([
            HistoryRecord(f"2026-12-02T{time}:00+01:00", "folder", f"/parts/{profile}_{time}.png", verdict,
                          score=0.7, profile_name=profile, sha256=f"{profile}{time}")
            for time, profile, verdict in rows
        ])


def test_committed_rows_are_handed_back_by_the_callers_key(image):
    committed = []
    writer = HistoryWriter(CONTEXT, on_committed=committed.extend, batch_size=2)
    try:
        writer.submit(outcome(image), key="first")
        writer.submit(outcome(image))  # no key: not reported
        writer.submit(outcome(image), key=("row", 3))
        assert writer.flush(timeout=30)
    finally:
        assert writer.close()
    with HistoryDatabase() as database:
        ids = [row.id for row in database.query(order_by="id", descending=False)]
    assert committed == [("first", ids[0]), (("row", 3), ids[2])]


def test_a_decision_is_stored_beside_the_machine_verdict_on_the_writers_thread(image):
    answers, threads = [], []

    def on_reviewed(result: ReviewResult) -> None:
        threads.append(threading.current_thread().name)
        answers.append(result)

    writer = HistoryWriter(CONTEXT, on_reviewed=on_reviewed)
    try:
        writer.submit(outcome(image), key="part")
        assert writer.flush(timeout=30)
        with HistoryDatabase() as database:
            (row,) = database.query()
        writer.submit_review(row.id, "OK", "scratch is dust", "ann")
        writer.submit_review(row.id + 99, "NOK", "", "ann")
        assert writer.flush(timeout=30)
        with pytest.raises(ValueError, match="OK or NOK"):
            writer.submit_review(row.id, "MAYBE")
    finally:
        assert writer.close()
    good, missing = answers
    assert threads == ["history-writer", "history-writer"]
    assert (good.inspection_id, good.error) == (row.id, "")
    assert (good.review.decision, good.review.reason, good.review.reviewer) == ("OK", "scratch is dust", "ann")
    assert missing.review is None and f"no inspection {row.id + 99}" in missing.error
    with HistoryDatabase() as database:
        again = database.get(row.id)
    assert again.record.verdict == "NOK" and again.final_verdict == "OK" and again.review == good.review


def test_a_decision_waits_for_no_one_while_the_writer_is_held_up(image, monkeypatch):
    (row_id,) = stored([("09:00", "Tile A", "REVIEW")])
    real = HistoryDatabase.add_review
    held = threading.Event()

    def blocked(self, *args, **kwargs):
        held.wait(30)  # a database locked by another process
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HistoryDatabase, "add_review", blocked)
    answers = []
    writer = HistoryWriter(CONTEXT, on_reviewed=answers.append)
    try:
        writer.submit_review(row_id, "NOK", "chip", "bob")  # would hang here if it wrote the decision itself
        assert writer.waiting == 1 and answers == []
        held.set()
        assert writer.flush(timeout=30)
    finally:
        held.set()
        assert writer.close()
    assert answers[0].review.decision == "NOK"


def test_a_closed_writer_takes_no_decision():
    writer = HistoryWriter(CONTEXT)
    assert writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit_review(1, "OK")


def test_the_queue_holds_review_rows_and_nok_rows_of_profiles_that_ask():
    ids = stored([
        ("09:00", "Tile A", "REVIEW"), ("09:01", "Tile A", "NOK"), ("09:02", "Tile B", "NOK"),
        ("09:03", "Tile B", "REVIEW"), ("09:04", "Tile A", "OK"), ("09:05", "Tile A", "REVIEW"),
    ])
    with HistoryDatabase() as database:
        database.add_review(ids[5], "OK", reviewer="ann")
        assert [r.id for r in pending_rows(database)] == [ids[0], ids[3]]
        queue = pending_rows(database, nok_profiles={"Tile B"})
        assert [r.id for r in queue] == [ids[0], ids[2], ids[3]]  # oldest first across the merged parts
        assert [r.id for r in pending_rows(database, nok_profiles={"Tile B"}, newest_first=True, limit=2)] == [ids[3], ids[2]]
        assert pending_count(database, nok_profiles={"Tile A", "Tile B"}) == 4
        only_a = HistoryFilter(profile_name="Tile A")
        assert [r.id for r in pending_rows(database, only_a, nok_profiles={"Tile A"})] == [ids[0], ids[1]]
        assert pending_count(database, only_a, nok_profiles={"Tile B"}) == 1


def test_reviewed_good_images_are_those_last_decided_ok_once_each():
    ids = stored([("09:00", "Tile A", "REVIEW"), ("09:01", "Tile A", "REVIEW"), ("09:02", "Tile A", "NOK"),
                  ("09:03", "Tile B", "REVIEW")])
    with HistoryDatabase() as database:
        database.add_review(ids[0], "OK", reviewer="ann")
        database.add_review(ids[1], "OK", reviewer="ann")
        database.add_review(ids[1], "NOK", reason="looked again", reviewer="bob")  # the last decision counts
        database.add_review(ids[2], "OK", reviewer="ann")
        database.add_review(ids[3], "OK", reviewer="ann")
        good = reviewed_good(database, "Tile A")
    assert good == [GoodImage("/parts/Tile A_09:00.png", "Tile A09:00"), GoodImage("/parts/Tile A_09:02.png", "Tile A09:02")]


def test_the_history_csv_keeps_the_machine_verdict_beside_the_decision(tmp_path):
    (row_id,) = stored([("09:00", "Tile A", "REVIEW")])
    with HistoryDatabase() as database:
        database.add_review(row_id, "OK", reason="=dust, not a scratch", reviewer="ann", reviewed_at="2026-12-02T14:03:00+01:00")
        assert write_history_csv(database, HistoryFilter(), tmp_path / "h.csv") == 1
    with (tmp_path / "h.csv").open(newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["verdict"], row["decision"], row["reviewer"], row["reviewed_at"]) == (
        "REVIEW", "OK", "ann", "2026-12-02T14:03:00+01:00")
    assert row["decision_reason"] == "'=dust, not a scratch"  # defused like every other cell


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "part_0001.png"
    path.write_bytes(b"an image's bytes" * 1000)
    return path

