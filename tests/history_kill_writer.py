"""Insert history batches until killed, printing each committed batch's ids (run by test_history_db).

``python tests/history_kill_writer.py DATABASE SEED SYNCHRONOUS``: each line on stdout is written only
after its batch's transaction has committed, so every id printed must survive a SIGKILL.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from radar_desktop.history.database import HistoryDatabase
from radar_desktop.history.recording import HistoryRecord


def main(path: Path, seed: int, synchronous: str) -> None:
    rng = random.Random(seed)
    database = HistoryDatabase(path, synchronous=synchronous)
    batch = 0
    while True:
        records = [
            HistoryRecord(
                inspected_at=f"2026-04-{1 + batch % 28:02d}T12:{batch % 60:02d}:{i % 60:02d}+02:00", origin="watch",
                path=f"/line/seed{seed}/part_{batch}_{i}.png", verdict=rng.choice(("OK", "REVIEW", "NOK")),
                score=rng.random(), profile_name="Tile A", regions='[{"area": 1.0}]', message="x" * rng.randrange(2000),
            )
            for i in range(rng.randint(1, 40))
        ]
        ids = database.insert(records)
        print(" ".join(map(str, ids)), flush=True)
        batch += 1


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
