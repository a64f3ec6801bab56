"""Insert rate and filtered-page query time of the history database at 10k / 100k / 1M rows.

Each size gets a fresh database in a temp folder, filled with synthetic rows spread like a real line's:
six profiles (unevenly used), lots that change every few hundred parts, eight operators, about 90% OK /
6% REVIEW / 3% NOK / 1% ERROR, a year of times, serial-number file names. The database is filled in
transactions of ``--fill-batch`` rows, then ``--writer-rows`` more go in batches of ``--batch`` (the
writer's 50) with the app's durability settings: that rate is the one a running app sees at that size.
The database is then closed and reopened (as the app would, refreshing its statistics) and each
query is timed ``--repeats`` times (median and worst). Also compares ``synchronous`` FULL and
NORMAL on a small database. Prints tables and writes JSON.

    python benchmarks/history.py [--sizes 10000,100000,1000000] [--json history_benchmark.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from radar_desktop.history.database import HistoryDatabase, HistoryFilter  # noqa: E402
from radar_desktop.history.recording import HistoryRecord  # noqa: E402

PROFILES = (("Tile A", 30), ("Tile B", 25), ("Gasket 40", 18), ("Lens cap", 12), ("PCB top", 10), ("Weld seam", 5))
OPERATORS = ("ann", "bob", "carla", "dave", "emre", "fatima", "gus", "hana")
VERDICTS = (("OK", 90), ("REVIEW", 6), ("NOK", 3), ("ERROR", 1))
START = datetime(2025, 3, 1, 6, 0, tzinfo=timezone(timedelta(hours=1)))
YEAR_S = 365 * 24 * 3600


def synthetic_records(count: int, seed: int = 0):
    """``count`` records in time order over a year, in batches as they would arrive."""
    rng = random.Random(seed)
    names, weights = zip(*PROFILES)
    verdicts, verdict_weights = zip(*VERDICTS)
    step = YEAR_S / count
    lot_number, lot_left, profile = 0, 0, names[0]
    for index in range(count):
        if lot_left == 0:  # a new lot: one profile, one operator for a few hundred parts
            lot_number += 1
            lot_left = rng.randint(100, 900)
            profile = rng.choices(names, weights)[0]
            operator = rng.choice(OPERATORS)
        lot_left -= 1
        at = START + timedelta(seconds=index * step + rng.uniform(0, step * 0.9))
        verdict = rng.choices(verdicts, verdict_weights)[0]
        score = {"OK": rng.uniform(0, 0.5), "REVIEW": rng.uniform(0.5, 0.8), "NOK": rng.uniform(0.8, 2.0)}.get(verdict)
        serial = rng.randrange(10**8)
        station = f"st{lot_number % 3 + 1}"
        regions = "[]" if verdict in ("OK", "ERROR") else json.dumps(
            [{"area": round(rng.uniform(0.01, 2), 4), "area_unit": "mm²", "length": round(rng.uniform(0.1, 3), 3),
              "length_unit": "mm", "bbox": [rng.randrange(500), rng.randrange(500), 12, 9], "ignored": False}]
        )
        month = at.strftime("%Y-%m")
        key = f"{rng.getrandbits(128):032x}"
        yield HistoryRecord(
            inspected_at=at.isoformat(timespec="seconds"), origin=rng.choice(("folder", "folder", "live", "cli-scan", "watch")),
            path=f"/data/line{lot_number % 3 + 1}/lot{lot_number:05d}/{station}_{serial:08d}.png", verdict=verdict,
            score=score, operator=operator, station=station, lot=f"lot{lot_number:05d}",
            sha256=None if verdict == "ERROR" else f"{rng.getrandbits(256):064x}", width=1280, height=960,
            profile_name=profile, profile_hash=hashlib.sha256(profile.encode()).hexdigest(), scorer="features",
            review_threshold=0.5, nok_threshold=0.8, message="not a readable image" if verdict == "ERROR" else "",
            regions=regions, milliseconds=rng.uniform(20, 60),
            heatmap_file=None if verdict == "ERROR" else f"{month}/{key}_heat.png", thumbnail_file=f"{month}/{key}_thumb.png",
        )


def fill(database: HistoryDatabase, records, batch: int) -> dict:
    """Insert the records ``batch`` at a time; rows per second and milliseconds per batch (inserts only)."""
    spent, rows, batches, pending = 0.0, 0, 0, []
    for record in records:
        pending.append(record)
        if len(pending) == batch:
            spent += _insert(database, pending)
            rows, batches, pending = rows + batch, batches + 1, []
    if pending:
        spent += _insert(database, pending)
        rows, batches = rows + len(pending), batches + 1
    return {"rows_per_s": rows / spent, "ms_per_batch": 1000 * spent / batches}


def _insert(database: HistoryDatabase, records: list) -> float:
    began = time.perf_counter()
    database.insert(records)
    return time.perf_counter() - began


def timed(call, repeats: int) -> dict:
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = call()
        times.append(1000 * (time.perf_counter() - began))
    rows = result if isinstance(result, int) else len(result)
    return {"median_ms": statistics.median(times), "max_ms": max(times), "first_ms": times[0], "rows": rows}


def queries(database: HistoryDatabase, repeats: int) -> dict:
    """The history tab's and review queue's typical questions, each one page of 100 rows."""
    spring = HistoryFilter(date_from=date(2025, 4, 1), date_to=date(2025, 6, 30), profile_name="Tile B",
                           verdicts=("REVIEW", "NOK"))
    deep = database.query(HistoryFilter(profile_name="Tile A"), limit=1, offset=20_000)
    cases = {
        "newest page, no filter": lambda: database.query(),
        "profile + REVIEW/NOK + 3 months": lambda: database.query(spring),
        "profile + NOK, whole year": lambda: database.query(HistoryFilter(profile_name="Weld seam", verdicts=("NOK",))),
        "operator + ERROR": lambda: database.query(HistoryFilter(operator="gus", verdicts=("ERROR",))),
        "lot": lambda: database.query(HistoryFilter(lot="lot00042")),
        "name substring, rare": lambda: database.query(HistoryFilter(name="_1234567")),
        "name substring, common + profile": lambda: database.query(HistoryFilter(name="st2_", profile_name="Tile A")),
        "name substring + profile + NOK + 3 months": lambda: database.query(replace(spring, verdicts=("NOK",), name="9")),
        "score order, profile + NOK": lambda: database.query(HistoryFilter(profile_name="Tile B", verdicts=("NOK",)), order_by="score"),
        "history tab: score order, no filter": lambda: database.query(order_by="score", limit=200),
        "history tab: name order, no filter": lambda: database.query(order_by="name", limit=200),
        "history tab: verdict order, lot": lambda: database.query(HistoryFilter(lot="lot00042"), order_by="verdict", limit=200),
        "page at offset 20000, profile": lambda: database.query(HistoryFilter(profile_name="Tile A"), offset=20_000),
        "page after row 20000 (keyset), profile": lambda: database.query(HistoryFilter(profile_name="Tile A"),
                                                                         after=deep[0] if deep else None),
        "review queue (oldest undecided)": lambda: database.pending_reviews(),
        "count, no filter": lambda: database.count(),
        "count, profile + REVIEW/NOK + 3 months": lambda: database.count(spring),
        "count, name substring": lambda: database.count(HistoryFilter(name="_1234")),
        "drift: last 5000 scores of a profile": lambda: database.scores_over_time("Tile A", last=5000).ids,
    }
    return {name: timed(call, repeats) for name, call in cases.items()}


def one_size(count: int, batch: int, fill_batch: int, writer_rows: int, repeats: int, folder: Path) -> dict:
    """Fill a database with ``count`` rows in bulk, time ``writer_rows`` more in the writer's batches, then query."""
    path = folder / f"history-{count}.sqlite3"
    database = HistoryDatabase(path)
    began = time.perf_counter()
    bulk = fill(database, synthetic_records(count), fill_batch)
    fill_s = time.perf_counter() - began
    writer = fill(database, synthetic_records(writer_rows, seed=1), batch)  # as the writer adds to a full history
    for row in database.query(HistoryFilter(verdicts=("REVIEW",)), limit=200):  # some decided reviews
        database.add_review(row.id, "OK", reason="dust", reviewer="ann")
    database.close()  # the app closes with PRAGMA optimize; the history tab then opens it fresh
    size_mb = sum(p.stat().st_size for p in folder.glob(f"{path.name}*")) / 2**20
    with HistoryDatabase(path) as reopened:
        timings = queries(reopened, repeats)
    for leftover in folder.glob(f"{path.name}*"):
        leftover.unlink()
    return {"rows": count, "bulk_rows_per_s": bulk["rows_per_s"], "fill_batch": fill_batch, "fill_s": fill_s,
            "writer_rows_per_s": writer["rows_per_s"], "writer_ms_per_batch": writer["ms_per_batch"],
            "db_mb": size_mb, "queries": timings}


def durability(folder: Path, rows: int, batch: int) -> dict:
    """Insert rate with synchronous FULL (the app's) and NORMAL, batches as the writer makes them."""
    found = {}
    for mode in ("FULL", "NORMAL"):
        path = folder / f"durability-{mode}.sqlite3"
        with HistoryDatabase(path, synchronous=mode) as database:
            found[mode] = fill(database, synthetic_records(rows), batch)
        for leftover in folder.glob(f"{path.name}*"):
            leftover.unlink()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="row counts, comma-separated")
    parser.add_argument("--batch", type=int, default=50, help="rows per transaction (the writer's batch)")
    parser.add_argument("--fill-batch", type=int, default=1000, help="rows per transaction while filling")
    parser.add_argument("--writer-rows", type=int, default=5000, help="rows added in writer batches at each size")
    parser.add_argument("--repeats", type=int, default=5, help="timings per query (median reported)")
    parser.add_argument("--durability-rows", type=int, default=5000, help="rows for the FULL/NORMAL comparison")
    parser.add_argument("--folder", type=Path, help="where to build the databases (default: a temp folder)")
    parser.add_argument("--json", type=Path, default=Path("history_benchmark.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="history-bench-", dir=args.folder))
    try:
        rows = []
        for count in sizes:
            rows.append(one_size(count, args.batch, args.fill_batch, args.writer_rows, args.repeats, folder))
            print(f"{count} rows done in {rows[-1]['fill_s']:.0f} s", file=sys.stderr)
        modes = durability(folder, args.durability_rows, args.batch)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=FULL; queries: median / worst of {args.repeats}")
    print(f"{'rows':>9} {'fill rows/s':>12} {'writer rows/s':>14} {'ms/batch':>9} {'fill s':>8} {'MB':>8}")
    print(f"{'':>9} {f'(by {args.fill_batch})':>12} {f'(by {args.batch})':>14}")
    for row in rows:
        print(f"{row['rows']:>9} {row['bulk_rows_per_s']:>12.0f} {row['writer_rows_per_s']:>14.0f} "
              f"{row['writer_ms_per_batch']:>9.2f} {row['fill_s']:>8.1f} {row['db_mb']:>8.1f}")
    print()
    print(f"{'query (ms: median / worst)':<45}" + "".join(f"{row['rows']:>18}" for row in rows))
    for name in rows[0]["queries"]:
        cells = "".join(f"{row['queries'][name]['median_ms']:>9.1f} /{row['queries'][name]['max_ms']:>7.1f}" for row in rows)
        print(f"{name:<45}{cells}")
    print()
    for mode, found in modes.items():
        print(f"synchronous={mode}: {found['rows_per_s']:.0f} rows/s, {found['ms_per_batch']:.2f} ms per batch "
              f"of {args.batch} ({args.durability_rows} rows)")
    report = {
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version},
        "batch": args.batch, "fill_batch": args.fill_batch, "writer_rows": args.writer_rows, "repeats": args.repeats, "synchronous": "FULL", "rows": rows, "durability": modes,
    }
    args.json.write_text(json.dumps(report, indent=2))
    print(f"-> {args.json}")


if __name__ == "__main__":
    main()
