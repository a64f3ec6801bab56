"""The history writer: submit never waits on disk, flush commits, pictures beside the database, failures kept."""

import csv
import hashlib
import json
import sqlite3

import cv2
import numpy as np
import pytest

from radar_desktop.app import main
from radar_desktop.core.records import InspectionResult, ScanOutcome
from radar_desktop.core.regions import Region
from radar_desktop.core.verdict import Thresholds, Verdict
from radar_desktop.history import writer as writer_module
from radar_desktop.history.database import HistoryDatabase, default_path
from radar_desktop.history.recording import HistoryRecord, RecordContext, record_from_outcome
from radar_desktop.history.writer import HistoryWriter

CONTEXT = RecordContext(origin="folder", profile_name="Tile A", profile_hash="c" * 64, thresholds=Thresholds(0.5, 0.8),
                        lot="L7", operator="ann", station="bench-1", mm_per_pixel=0.05, map_range=(0.0, 1.0))


def outcome(path, score: float = 0.9, verdict: Verdict = Verdict.NOK) -> ScanOutcome:
    rng = np.random.default_rng(0)
    anomaly_map = rng.random((300, 200)).astype(np.float32)
    region = Region(area_px=40.0, length_px=9.0, bbox=(10, 12, 8, 6), centre=(14.0, 15.0), peak=0.97)
    result = InspectionResult(str(path), "features", anomaly_map, score, verdict, regions=(region,), rule="")
    thumbnail = rng.integers(0, 255, (64, 43, 3), dtype=np.uint8)
    return ScanOutcome(str(path), result, None, 12.0, thumbnail, "2026-03-09T14:00:00+01:00")


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "part_0001.png"
    path.write_bytes(b"an image's bytes" * 1000)
    return path


def test_a_record_holds_the_outcome_its_context_and_its_pictures(image, tmp_path):
    made = record_from_outcome(outcome(image), context=CONTEXT, files_dir=tmp_path / "files")
    assert made.sha256 == hashlib.sha256(image.read_bytes()).hexdigest()
    assert (made.width, made.height) == (200, 300) and made.verdict == "NOK" and made.score == 0.9
    assert (made.review_threshold, made.nok_threshold) == (0.5, 0.8) and made.scorer == "features"
    assert (made.lot, made.operator, made.station, made.origin) == ("L7", "ann", "bench-1", "folder")
    (region,) = made.region_records()
    assert region["area_unit"] == "mm²" and region["area"] == pytest.approx(40 * 0.05**2)
    assert made.thumbnail_file.startswith("2026-03/") and made.thumbnail_file.endswith("_thumb.png")
    heat = cv2.imread(str(tmp_path / "files" / made.heatmap_file))
    assert heat.shape == (128, 85, 3)  # at most 128 px long, coloured
    assert cv2.imread(str(tmp_path / "files" / made.thumbnail_file)).shape == (64, 43, 3)
    grey = record_from_outcome(outcome(image), context=RecordContext(origin="watch"), files_dir=tmp_path / "grey")
    assert cv2.imread(str(tmp_path / "grey" / grey.heatmap_file), cv2.IMREAD_UNCHANGED).ndim == 2  # no map range: grey


def test_submit_returns_while_the_writer_is_held_up(image, monkeypatch):
    import threading

    real = writer_module.record_from_outcome
    held = threading.Event()

    def blocked(*args, **kwargs):
        held.wait(30)  # a disk that does not answer until the test lets it
        return real(*args, **kwargs)

    monkeypatch.setattr(writer_module, "record_from_outcome", blocked)
    writer = HistoryWriter(CONTEXT)
    try:
        for _ in range(8):
            writer.submit(outcome(image))  # would hang here if submit did any of the work
        assert writer.waiting == 8 and writer.written == 0
        held.set()
        assert writer.flush(timeout=30)
        assert writer.waiting == 0 and writer.written == 8
    finally:
        held.set()
        assert writer.close()
    with HistoryDatabase() as database:
        assert database.count() == 8


def test_flush_commits_rows_that_point_to_their_pictures(image, tmp_path):
    missing = tmp_path / "gone.png"
    broken = ScanOutcome(str(missing), None, "not a readable image (file is empty)", 0.5, None, "2026-03-09T14:00:01+01:00")
    errors = []
    writer = HistoryWriter(CONTEXT, on_error=errors.append, batch_size=4)
    try:
        for _ in range(10):
            writer.submit(outcome(image))
        writer.submit(broken)
        writer.submit(outcome(image, 0.3, Verdict.OK), RecordContext(origin="live", lot="L8", operator="bob"))
        assert writer.flush(timeout=30)
    finally:
        assert writer.close()
    assert errors == []
    with HistoryDatabase() as database:
        rows = database.query(order_by="id", descending=False)
        assert len(rows) == 12
        for row in rows[:10]:
            assert database.file(row.record.thumbnail_file).is_file() and database.file(row.record.heatmap_file).is_file()
            assert row.record.sha256 == hashlib.sha256(image.read_bytes()).hexdigest() and row.record.lot == "L7"
        error = rows[10].record
        assert (error.verdict, error.message, error.sha256, error.score) == (
            "ERROR", "not a readable image (file is empty)", None, None)
        assert error.thumbnail_file is None and error.heatmap_file is None
        assert (rows[11].record.origin, rows[11].record.lot, rows[11].record.operator) == ("live", "L8", "bob")
        assert database.files_dir.parent == default_path().parent


def test_a_picture_that_cannot_be_written_costs_the_picture_not_the_row(image, monkeypatch):
    def full_disk(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("radar_desktop.history.recording.write_bytes_atomic", full_disk)
    errors = []
    writer = HistoryWriter(CONTEXT, on_error=errors.append)
    for _ in range(3):
        writer.submit(outcome(image))
    assert writer.flush(timeout=30) and writer.close()
    assert len(errors) == 1 and "no thumbnail or heatmap kept" in errors[0]  # said once, not for every part
    with HistoryDatabase() as database:
        rows = database.query()
        assert len(rows) == 3 and all(r.record.verdict == "NOK" and r.record.heatmap_file is None for r in rows)


def test_rows_the_database_refuses_are_kept_and_saved_aside(image):
    path = default_path()
    path.parent.mkdir(parents=True)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")  # a newer app's database: never written to
    connection.close()
    errors = []
    writer = HistoryWriter(CONTEXT, on_error=errors.append, retry_s=0.05)
    for _ in range(3):
        writer.submit(outcome(image))
    assert not writer.flush(timeout=30)  # answered at once, not after the timeout
    assert len(writer.unwritten) == 3 and writer.written == 0
    assert not writer.close()
    assert any("newer RADAR Desktop" in e for e in errors)
    (saved,) = (path.parent / "unsaved").glob("history-*.jsonl")
    assert f"saved to {saved}" in errors[-1]
    records = [HistoryRecord(**json.loads(line)) for line in saved.read_text().splitlines()]
    assert records == list(writer.unwritten) and records[0].lot == "L7"
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit(outcome(image))


def test_cli_history_list_and_export(capsys, tmp_path):
    with HistoryDatabase() as database:
        base = dict(origin="cli-scan", profile_name="Tile A", operator="ann", lot="L1")
        ids = database.insert([
            HistoryRecord("2026-03-01T10:00:00+01:00", path="/p/a_good.png", verdict="OK", score=0.1, **base),
            HistoryRecord("2026-03-02T10:00:00+01:00", path="/p/b_flag.png", verdict="REVIEW", score=0.6, **base),
            HistoryRecord("2026-03-03T10:00:00+01:00", path="/p/=cmd().png", verdict="NOK", score=0.9,
                          **{**base, "lot": "-L2", "regions": '[{"area": 0.5, "area_unit": "mm²", "length": 1.2, "length_unit": "mm"}]'}),
        ])
        database.add_review(ids[1], "NOK", reason="chip", reviewer="carla")
    assert main(["history", "list", "--verdict", "REVIEW", "NOK"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["id", "time", "verdict", "review", "score", "profile", "lot", "operator", "name"]
    assert "=cmd().png" in out[1] and "b_flag.png" in out[2] and "NOK" in out[2].split()  # newest first; the decision
    assert out[-1] == "2 of 2 matching inspections, newest first"
    assert main(["history", "list", "--from", "2026-03-02", "--to", "2026-03-02", "--name", "FLAG"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 of 1 matching inspections, newest first"

    target = tmp_path / "history.csv"
    assert main(["history", "export", "--profile", "Tile A", "--csv", str(target)]) == 0
    assert "3 inspections ->" in capsys.readouterr().out
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == ["a_good.png", "b_flag.png", "'=cmd().png"]  # oldest first, defused
    assert rows[1]["verdict"] == "REVIEW" and rows[1]["decision"] == "NOK" and rows[1]["reviewer"] == "carla"
    assert rows[2]["lot"] == "'-L2" and rows[2]["regions"] == "1" and rows[2]["region_list"] == "0.5 mm² · 1.2 mm"

    assert main(["history", "list", "--from", "last week"]) == 1
    assert "not a date" in capsys.readouterr().err
    assert main(["history", "list", "--operator", "nobody"]) == 0
    assert "no inspections match" in capsys.readouterr().err


def test_cli_history_refuses_a_newer_database(capsys):
    path = default_path()
    path.parent.mkdir(parents=True)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    assert main(["history", "list"]) == 1
    assert "newer RADAR Desktop" in capsys.readouterr().err


def test_a_bug_in_the_writer_is_reported_and_its_records_saved_aside(image, monkeypatch):
    def broken(self, database):
        raise RuntimeError("a bug")

    monkeypatch.setattr(HistoryWriter, "_commit", broken)
    errors = []
    writer = HistoryWriter(CONTEXT, on_error=errors.append)
    writer.submit(outcome(image))
    assert not writer.flush(timeout=30)  # it gives up because the thread stopped, not because time ran out
    assert not writer.close()
    assert "the history writer stopped (a bug)" in errors[0] and "saved to" in errors[-1]
