"""App start to window shown, measured from outside: launch the app, wait for its "window shown" log line.

Runs the windowed app offscreen with an empty profile store, and with a store holding one profile
(whose model then loads on the engine thread while the window opens). Prints a table and writes JSON.

    python benchmarks/startup.py [--runs 5] [--profile-home DIR_WITH_profiles/] [--json startup.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def time_to_window(home: Path) -> float:
    """Seconds from process launch to the app logging that its window is shown."""
    env = {**os.environ, "RADAR_DESKTOP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "radar_desktop.app", "--quit-when-done"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    shown = None
    for line in process.stderr:
        if shown is None and "window shown" in line:
            shown = time.perf_counter() - began
    process.wait(timeout=120)
    if shown is None:
        raise RuntimeError("the app never reported its window as shown")
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile-home", type=Path, help="a RADAR_DESKTOP_HOME with at least one profile")
    parser.add_argument("--json", type=Path, default=Path("startup.json"))
    args = parser.parse_args()
    homes = {"empty profile store": Path(tempfile.mkdtemp(prefix="radar-startup-"))}
    if args.profile_home:
        homes["store with a profile (its model loads meanwhile)"] = args.profile_home
    time_to_window(homes["empty profile store"])  # warm the disk cache once
    rows = []
    for label, home in homes.items():
        times = [time_to_window(home) for _ in range(args.runs)]
        rows.append({"case": label, "median_s": float(np.median(times)), "max_s": max(times), "runs": times})
    print(f"{'case':<50} {'median s':>8} {'max s':>6}")
    for row in rows:
        print(f"{row['case']:<50} {row['median_s']:>8.2f} {row['max_s']:>6.2f}")
    args.json.write_text(json.dumps({"python": sys.version.split()[0], "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
