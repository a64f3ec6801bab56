"""The history database: filters, sorting, paging, reviews, migrations, refusals, and SIGKILL mid-write."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from radar_desktop.history import database as db_module
from radar_desktop.history.database import (
    SCHEMA_VERSION, HistoryDatabase, HistoryError, HistoryFilter, default_path, parse_when,
)
from radar_desktop.history.recording import HistoryRecord

ROOT = Path(__file__).resolve().parents[1]

# The version-1 shape as it shipped: no regions column, no reviews table (kept here verbatim, so a
# change to the module's copy cannot hide a broken migration).
V1_DDL = """
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY, inspected_at TEXT NOT NULL, epoch INTEGER NOT NULL, origin TEXT NOT NULL,
    path TEXT NOT NULL, name TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('OK', 'REVIEW', 'NOK', 'ERROR')), score REAL,
    operator TEXT NOT NULL DEFAULT '', station TEXT NOT NULL DEFAULT '', lot TEXT NOT NULL DEFAULT '',
    sha256 TEXT, width INTEGER, height INTEGER, profile_name TEXT NOT NULL DEFAULT '',
    profile_hash TEXT NOT NULL DEFAULT '', scorer TEXT NOT NULL DEFAULT '', review_threshold REAL,
    nok_threshold REAL, message TEXT NOT NULL DEFAULT '', milliseconds REAL NOT NULL DEFAULT 0,
    heatmap_file TEXT, thumbnail_file TEXT
);
CREATE INDEX inspections_time ON inspections (epoch);
CREATE INDEX inspections_profile ON inspections (profile_name, epoch);
CREATE INDEX inspections_verdict ON inspections (verdict, epoch);
CREATE INDEX inspections_lot ON inspections (lot, epoch);
CREATE INDEX inspections_operator ON inspections (operator, epoch);
CREATE INDEX inspections_hash ON inspections (sha256, profile_hash);
CREATE INDEX inspections_filters ON inspections (name, epoch, profile_name, verdict, lot, operator, origin);
PRAGMA user_version = 1;
"""


def record(day: int = 1, hour: int = 10, **fields) -> HistoryRecord:
    values = dict(inspected_at=f"2026-03-{day:02d}T{hour:02d}:00:00+01:00", origin="folder",
                  path=f"/parts/part_{day:02d}_{hour:02d}.png", verdict="OK", score=0.1, profile_name="Tile A",
                  profile_hash="a" * 64, operator="ann", lot="L1", sha256=f"{day:02d}{hour:02d}".ljust(64, "0"))
    values.update(fields)
    return HistoryRecord(**values)


@pytest.fixture
def database():
    with HistoryDatabase() as opened:
        yield opened


@pytest.fixture
def stored(database):
    """Eight rows that differ in every filtered field; returns {label: id}."""
    rows = {
        "a_ok": record(1, 9),
        "a_review": record(2, 9, verdict="REVIEW", score=0.6, lot="L2"),
        "a_nok": record(3, 9, verdict="NOK", score=0.9, operator="bob"),
        "b_ok": record(4, 9, profile_name="Tile B", origin="live", path="/cam/FRAME_0001.png"),
        "b_review": record(5, 9, profile_name="Tile B", verdict="REVIEW", score=0.55, origin="cli-scan"),
        "b_nok": record(6, 9, profile_name="Tile B", verdict="NOK", score=0.95, lot="L2", operator="bob"),
        "error": record(7, 9, verdict="ERROR", score=None, sha256=None, message="not a readable image"),
        "late": record(7, 23, verdict="REVIEW", score=0.7, path="/parts/100%_done.png"),
    }
    ids = database.insert(rows.values())
    return dict(zip(rows, ids))


def labels(rows, stored) -> set[str]:
    by_id = {v: k for k, v in stored.items()}
    return {by_id[row.id] for row in rows}


def test_the_database_lives_in_the_data_folder_in_wal_mode(isolated_home, database):
    assert database.path == isolated_home / "history" / "history.sqlite3" == default_path()
    assert database.files_dir == isolated_home / "history" / "files"
    assert database.journal_mode == "wal" and database.schema_version() == SCHEMA_VERSION


def test_each_filter(database, stored):
    def found(**kw):
        flt = HistoryFilter(**kw)
        rows = database.query(flt)
        assert database.count(flt) == len(rows)
        return labels(rows, stored)

    assert found() == set(stored)
    assert found(profile_name="Tile B") == {"b_ok", "b_review", "b_nok"}
    assert found(verdicts=("REVIEW", "NOK")) == {"a_review", "a_nok", "b_review", "b_nok", "late"}
    assert found(verdicts=["ERROR"]) == {"error"}
    assert found(lot="L2") == {"a_review", "b_nok"}
    assert found(operator="bob") == {"a_nok", "b_nok"}
    assert found(origin="live") == {"b_ok"}
    assert found(name="frame") == {"b_ok"}  # any case
    assert found(name="%_") == {"late"}  # LIKE's wildcards are taken literally
    assert found(profile_name="Tile A", verdicts=("REVIEW",), lot="L2") == {"a_review"}
    # dates are inclusive; a date means the whole local day, a datetime that instant
    assert found(date_from=date(2026, 3, 6)) == {"b_nok", "error", "late"}
    assert found(date_from=date(2026, 3, 2), date_to=date(2026, 3, 3)) == {"a_review", "a_nok"}
    local = datetime.fromisoformat("2026-03-07T09:00:00+01:00").astimezone()
    assert found(date_from=local, date_to=local) == {"error"}
    assert found(date_to=parse_when("2026-03-01T08:59:59+01:00")) == set()
    assert found(date_to=parse_when("2026-03-01T09:00:00+01:00")) == {"a_ok"}
    with pytest.raises(ValueError, match="verdict"):
        HistoryFilter(verdicts=("BAD",))
    with pytest.raises(ValueError, match="not a date"):
        parse_when("yesterday")


def test_sorting_and_paging(database, stored):
    newest = database.query()
    assert [r.id for r in newest] == sorted(stored.values(), reverse=True)  # inserted oldest first
    by_score = [r.record.score for r in database.query(HistoryFilter(verdicts=("OK", "REVIEW", "NOK")), order_by="score")]
    assert by_score == sorted(by_score, reverse=True)
    names = [r.record.name for r in database.query(order_by="name", descending=False)]
    assert names == sorted(names)
    pages = [database.query(offset=start, limit=3) for start in (0, 3, 6)]
    assert [len(p) for p in pages] == [3, 3, 2] and [r.id for p in pages for r in p] == [r.id for r in newest]
    after = database.query(limit=3, after=pages[0][-1])
    assert [r.id for r in after] == [r.id for r in pages[1]]
    oldest = database.query(descending=False, limit=2)
    assert [r.id for r in database.query(descending=False, limit=2, after=oldest[-1])] == [r.id for r in newest[-3:-5:-1]]
    with pytest.raises(ValueError, match="order_by"):
        database.query(order_by="path; DROP TABLE inspections")
    with pytest.raises(ValueError, match="after"):
        database.query(order_by="score", after=newest[0])


def test_times_sort_by_instant_across_utc_offsets(database):
    # 01:30 in summer time (+02:00) is earlier than 01:00 in winter time (+01:00), though it sorts later as text
    summer, winter = database.insert([
        record(inspected_at="2026-10-25T01:30:00+02:00"), record(inspected_at="2026-10-25T01:00:00+01:00"),
    ])
    assert [r.id for r in database.query(descending=False)] == [summer, winter]


def test_records_come_back_as_stored(database):
    original = record(regions='[{"area": 1.5}]', width=640, height=480, review_threshold=0.5, nok_threshold=0.8,
                      heatmap_file="2026-03/x_heat.png", thumbnail_file="2026-03/x_thumb.png", milliseconds=12.5)
    (inserted,) = database.insert([original])
    row = database.get(inserted)
    assert row.record == original and row.review is None and row.final_verdict == "OK"
    assert database.file(row.record.heatmap_file) == database.files_dir / "2026-03" / "x_heat.png"
    assert database.get(inserted + 1) is None


def test_insert_is_one_transaction(database):
    database.insert([record(1)])
    with pytest.raises(HistoryError):
        database.insert([record(2), record(3, inspected_at="not a time")])
    assert database.count() == 1


def test_reviews_stand_beside_the_machine_verdict(database, stored):
    first = database.add_review(stored["a_review"], "NOK", reason="crack at the edge", reviewer="carla",
                                reviewed_at="2026-03-08T08:00:00+01:00")
    second = database.add_review(stored["a_review"], "OK", reason="dust, wiped", reviewer="dave")
    row = database.get(stored["a_review"])
    assert row.record.verdict == "REVIEW"  # the machine's verdict is never overwritten
    assert row.review == second and row.final_verdict == "OK"
    assert database.reviews(stored["a_review"]) == [first, second]
    assert database.query(HistoryFilter(lot="L2", profile_name="Tile A"))[0].review == second
    assert labels(database.query(HistoryFilter(reviewed=True)), stored) == {"a_review"}
    with pytest.raises(ValueError, match="OK or NOK"):
        database.add_review(stored["a_ok"], "REVIEW")
    with pytest.raises(HistoryError, match="nothing to review"):
        database.add_review(stored["error"], "OK")
    with pytest.raises(HistoryError, match="no inspection"):
        database.add_review(max(stored.values()) + 1, "OK")


def test_pending_reviews(database, stored):
    assert labels(database.pending_reviews(), stored) == {"a_review", "b_review", "late"}
    database.add_review(stored["b_review"], "OK")
    queue = database.pending_reviews()
    assert [r.id for r in queue] == [stored["a_review"], stored["late"]]  # oldest first
    assert labels(database.pending_reviews(include_nok=True), stored) == {"a_review", "a_nok", "b_nok", "late"}
    assert labels(database.pending_reviews(HistoryFilter(profile_name="Tile B"), include_nok=True), stored) == {"b_nok"}
    assert database.count_pending(include_nok=True) == 4


def test_hashes_scores_and_choices(database, stored):
    known = record(1, 9).sha256
    assert database.has_hash(known) and database.has_hash(known, "a" * 64)
    assert not database.has_hash(known, "b" * 64) and not database.has_hash("f" * 64)
    assert database.known_hashes([known, "f" * 64, known]) == {known}
    series = database.scores_over_time("Tile A")
    assert list(series.ids) == [stored[k] for k in ("a_ok", "a_review", "a_nok", "late")]  # ERROR has no score
    assert list(series.scores) == [0.1, 0.6, 0.9, 0.7] and series.verdicts == ("OK", "REVIEW", "NOK", "REVIEW")
    assert list(series.epochs) == sorted(series.epochs)
    assert list(database.scores_over_time("Tile A", last=2).ids) == [stored["a_nok"], stored["late"]]
    assert len(database.scores_over_time("Tile A", date_from=date(2026, 3, 3)).ids) == 2
    assert database.choices("profile_name") == ["Tile A", "Tile B"]
    assert database.choices("lot") == ["L1", "L2"] and database.choices("operator") == ["ann", "bob"]


def make_v1(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(V1_DDL)
    connection.executemany(
        "INSERT INTO inspections (inspected_at, epoch, origin, path, name, verdict, score, lot, profile_name) "
        "VALUES (?, ?, 'folder', ?, ?, ?, ?, 'old lot', 'Tile A')",
        [("2025-05-01T10:00:00+02:00", 1746086400, "/old/a.png", "a.png", "OK", 0.2),
         ("2025-05-01T10:00:05+02:00", 1746086405, "/old/b.png", "b.png", "REVIEW", 0.6),
         ("2025-05-01T10:00:09+02:00", 1746086409, "/old/c.png", "c.png", "ERROR", None)],
    )
    connection.commit()
    connection.close()


def test_a_version_1_database_is_migrated_with_its_rows(tmp_path):
    path = tmp_path / "history.sqlite3"
    make_v1(path)
    with HistoryDatabase(path) as database:
        assert database.schema_version() == 3
        rows = database.query(descending=False)
        assert [(r.record.name, r.record.verdict, r.record.score, r.record.lot) for r in rows] == [
            ("a.png", "OK", 0.2, "old lot"), ("b.png", "REVIEW", 0.6, "old lot"), ("c.png", "ERROR", None, "old lot")]
        assert all(r.record.regions == "[]" for r in rows)  # the column version 2 added
        plan = database._connection.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM inspections ORDER BY score DESC, id DESC LIMIT 200").fetchall()
        assert "inspections_score" in str(plan)  # the index version 3 added sorts by score without a scan
        assert [r.record.name for r in database.pending_reviews()] == ["b.png"]
        database.add_review(rows[1].id, "OK", reviewer="ann")  # the table version 2 added
        database.insert([record()])
    with HistoryDatabase(path) as again:  # opening a current database changes nothing
        assert again.count() == 4 and again.get(rows[1].id).review.decision == "OK"


def test_a_failed_migration_leaves_version_1_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    make_v1(path)
    monkeypatch.setitem(db_module.MIGRATIONS, 2, (*db_module.MIGRATION_V2, "THIS IS NOT SQL"))
    with pytest.raises(HistoryError):
        HistoryDatabase(path)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    assert connection.execute("SELECT count(*) FROM inspections").fetchone()[0] == 3
    columns = [c[1] for c in connection.execute("PRAGMA table_info(inspections)")]
    assert "regions" not in columns and not connection.execute("SELECT * FROM sqlite_master WHERE name = 'reviews'").fetchall()
    connection.close()


def test_a_newer_database_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "history.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript("CREATE TABLE inspections (id INTEGER PRIMARY KEY, future TEXT); PRAGMA user_version = 99;")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match=r"schema version 99, made by a newer RADAR Desktop.*reads up to 3.*left as it is"):
        HistoryDatabase(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3"]  # no WAL or journal left either


@pytest.mark.parametrize("content", [b"hello, not a database" * 100, None])
def test_a_file_that_is_not_a_history_database_is_refused(tmp_path, content):
    path = tmp_path / "history.sqlite3"
    if content is None:  # someone else's SQLite database
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE contacts (name TEXT)")
        connection.commit()
        connection.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="not a history database.*left as it is"):
        HistoryDatabase(path)
    assert path.read_bytes() == before


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_write_loses_no_committed_row(tmp_path):
    path = tmp_path / "history.sqlite3"
    rng = random.Random(20)
    reported: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_index in range(5):
        synchronous = ("FULL", "NORMAL")[round_index % 2]  # the app uses FULL; WAL keeps commits with NORMAL too
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "history_kill_writer.py"), str(path), str(round_index), synchronous],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        first = child.stdout.readline()  # the child is writing now
        assert first.endswith("\n"), child.stderr.read()
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        lines = [first] + rest.splitlines(keepends=True)
        committed = {int(v) for line in lines if line.endswith("\n") for v in line.split()}
        assert committed, "the child reported no committed batch"
        reported |= committed
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        present = {i for (i,) in connection.execute("SELECT id FROM inspections")}
        connection.close()
        assert reported <= present, f"round {round_index}: committed rows lost: {sorted(reported - present)[:10]}"
    with HistoryDatabase(path) as database:  # and the app opens it as usual
        assert database.count() >= len(reported)
