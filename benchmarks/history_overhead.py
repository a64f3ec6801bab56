"""How much recording the history slows a scan: the same images scanned with and without the history writer.

Rounds alternate (without, with, without, with, ...) in one process on one loaded model, so drift of a
noisy machine hits both alike; each round with the history also waits for the writer to commit every row
(thumbnail, heatmap PNG, SHA-256, insert), so the cost counted is the whole cost. The history goes to a
fresh database in a temp folder. Prints a table and writes JSON with the ratio of medians.

    python benchmarks/history_overhead.py --profile NAME --input FOLDER [--limit 100] [--rounds 3] [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each kind (alternating)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", type=Path, default=Path("history_overhead.json"))
    args = parser.parse_args()

    from radar_desktop.engine.device import resolve_device
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.engine.jobs.scan import scan_files
    from radar_desktop.history.database import HistoryDatabase
    from radar_desktop.history.recording import RecordContext
    from radar_desktop.history.writer import HistoryWriter
    from radar_desktop.profiles.store import open_profile
    from radar_desktop.sources.images import list_images

    profile = open_profile(args.profile)
    model = profile.load_model(resolve_device(args.device))
    entry = profile.entry()
    inspector = Inspector(model, profile.load_scorer(), entry.thresholds, plan=profile.inspection_plan())
    files = list_images(args.input)[: args.limit]
    context = RecordContext(origin="folder", profile_name=profile.name, profile_hash=profile.content_hash,
                            scorer=profile.default_scorer, thresholds=entry.thresholds, lot="bench",
                            operator="bench", map_range=entry.map_range)
    list(scan_files(inspector, files[:4]))  # warm-up: first-call allocations are not the history's
    times: dict[str, list[float]] = {"without history": [], "with history": []}
    with tempfile.TemporaryDirectory() as folder:
        database_path = Path(folder) / "history.sqlite3"
        for round_index in range(2 * args.rounds):
            recording = round_index % 2 == 1
            writer = HistoryWriter(context, path=database_path) if recording else None
            began = time.perf_counter()
            for outcome in scan_files(inspector, files):
                if writer is not None:
                    writer.submit(outcome)
            if writer is not None and not writer.close(timeout=120):
                raise SystemExit("the history writer did not commit every row")
            times["with history" if recording else "without history"].append(time.perf_counter() - began)
        with HistoryDatabase(database_path) as database:
            rows = database.count()
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    ratio = medians["with history"] / medians["without history"]
    print(f"{'':18} {'median s':>9} {'images/s':>9}   rounds (s)")
    for kind, values in times.items():
        print(f"{kind:18} {medians[kind]:>9.2f} {len(files) / medians[kind]:>9.2f}   "
              + ", ".join(f"{v:.2f}" for v in values))
    print(f"with / without: {ratio:.3f} ({100 * (ratio - 1):+.1f} %); {rows} rows recorded "
          f"({len(files)} images x {args.rounds} rounds)")
    result = {
        "profile": profile.name, "device": str(model.device), "images": len(files), "rounds": args.rounds,
        "seconds": times, "median_seconds": medians, "ratio_with_over_without": round(ratio, 4), "rows": rows,
        "machine": platform.platform(),
    }
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
