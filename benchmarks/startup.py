"""App start to window shown, measured from outside: launch the app, wait for its "window shown" log line.

Runs the windowed app offscreen in two cases: first launch (a fresh, empty profile store each run: the
demo profile is installed before the window opens, then the samples are inspected), and a store that
already holds the demo profile (its model loads on the engine thread while the window opens). With
``--app`` it also times a frozen bundle and reports its ratio to the source install, run in the same
process. Prints a table and writes JSON.

    python benchmarks/startup.py [--runs 5] [--app build/dist/radar-desktop/radar-desktop] [--json startup.json]
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


def time_to_window(command: list[str], home: Path) -> float:
    """Seconds from process launch to the app logging that its window is shown."""
    env = {**os.environ, "RADAR_DESKTOP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    began = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--device", "cpu", "--quit-when-done"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    shown = None
    for line in process.stderr:
        if shown is None and "window shown" in line:
            shown = time.perf_counter() - began
    process.wait(timeout=300)
    if shown is None:
        raise RuntimeError(f"{command[0]} never reported its window as shown")
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--app", type=Path, help="a frozen bundle's executable to time as well")
    parser.add_argument("--json", type=Path, default=Path("startup.json"))
    args = parser.parse_args()
    launchers = {"source": [sys.executable, "-m", "radar_desktop.app"]}
    if args.app:
        launchers["frozen"] = [str(args.app.resolve())]
    rows = []
    for launcher, command in launchers.items():
        with_demo = Path(tempfile.mkdtemp(prefix="radar-startup-"))
        time_to_window(command, with_demo)  # installs the demo there, and warms the disk cache
        cases = {
            "first launch (empty store)": lambda: time_to_window(command, Path(tempfile.mkdtemp(prefix="radar-first-"))),
            "demo profile in the store": lambda: time_to_window(command, with_demo),
        }
        for case, measure in cases.items():
            times = [measure() for _ in range(args.runs)]
            rows.append({"app": launcher, "case": case, "median_s": float(np.median(times)), "max_s": max(times), "runs": times})
    baseline = {row["case"]: row["median_s"] for row in rows if row["app"] == "source"}
    print(f"{'app':<7} {'case':<28} {'median s':>8} {'max s':>6} {'vs source':>9}")
    for row in rows:
        row["ratio_to_source"] = row["median_s"] / baseline[row["case"]]
        print(f"{row['app']:<7} {row['case']:<28} {row['median_s']:>8.2f} {row['max_s']:>6.2f} {row['ratio_to_source']:>8.2f}x")
    args.json.write_text(json.dumps({"python": sys.version.split()[0], "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
