"""Longest GUI event-loop stall while the main window scans a folder.

The window must stay responsive while the engine thread works: a 10 ms timer on the GUI thread
measures how late it fires. Prints a table and writes JSON. With ``--trace``, a watchdog thread
samples every thread's Python stack whenever the GUI thread is late by more than ``--trace-ms``, and
prints where the GUI thread stood and what the other threads ran meanwhile (the stall's cause).

Each of ``--rounds`` scans the same files again in the same window (every result is written to the
history, as in use); the table gives each round's longest stall and their median.

    python benchmarks/gui_stall.py --profile NAME --input FOLDER [--limit 200] [--rounds 3] [--json out.json] [--trace]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path


class StallTracer(threading.Thread):
    """Samples all threads' stacks while the GUI thread's heartbeat is late by more than ``late_ms``."""

    def __init__(self, late_ms: float) -> None:
        super().__init__(daemon=True)
        self.late = late_ms / 1000
        self.gui_thread = threading.get_ident()
        self.heartbeat = time.perf_counter()
        self.samples: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.stalls = 0
        self.running = True

    def beat(self) -> None:
        self.heartbeat = time.perf_counter()

    def run(self) -> None:
        in_stall = False
        while self.running:
            time.sleep(0.002)
            late = time.perf_counter() - self.heartbeat > self.late
            if late and not in_stall:
                self.stalls += 1
            in_stall = late
            if not late:
                continue
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                where = "GUI" if ident == self.gui_thread else "other"
                stack = traceback.extract_stack(frame)[-4:]
                self.samples[where][" <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack))] += 1

    def report(self, top: int = 8) -> dict:
        return {where: counter.most_common(top) for where, counter in self.samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", type=Path, default=Path("gui_stall.json"))
    parser.add_argument("--trace", action="store_true", help="sample stacks during stalls (slows nothing measurably)")
    parser.add_argument("--trace-ms", type=float, default=30.0, help="a heartbeat this late counts as a stall")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from radar_desktop.gui.main_window import MainWindow, application
    from radar_desktop.sources.images import list_images

    app = application()
    window = MainWindow(args.device, args.profile)
    window.show()
    while window.profiles.profile is None:
        app.processEvents()
        time.sleep(0.01)
    files = list_images(args.input)[: args.limit]
    tracer = None
    if args.trace:
        from PySide6.QtCore import QTimer

        tracer = StallTracer(args.trace_ms)
        beat = QTimer()
        beat.setInterval(5)
        beat.timeout.connect(tracer.beat)
        beat.start()
        tracer.start()
    rounds = []
    for _ in range(args.rounds):
        began = time.perf_counter()
        window.files_tab.start_scan(files)
        while window.jobs.busy:
            app.processEvents()
            time.sleep(0.002)
        rounds.append({"scan_seconds": round(time.perf_counter() - began, 2),
                       "longest_stall_ms": round(window.jobs.longest_stall_ms, 1)})
    window.history.flush(timeout=60)
    stalls = sorted(r["longest_stall_ms"] for r in rounds)
    result = {
        "profile": args.profile,
        "device": window.profiles.profile.device,
        "images": len(window.files_tab.table.model.outcomes),
        "rounds": rounds,
        "median_longest_stall_ms": stalls[len(stalls) // 2],
        "worst_longest_stall_ms": stalls[-1],
        "history_rows_written": window.history.written,
    }
    if tracer is not None:
        tracer.running = False
        result["stalls_over_trace_ms"] = tracer.stalls
        result["stall_stacks"] = tracer.report()
        for where, rows in result["stall_stacks"].items():
            print(f"{where} thread during stalls (samples, innermost first):")
            for stack, count in rows:
                print(f"  {count:>5}  {stack}")
    window.close()
    print(f"{'round':>5} {'images':>7} {'scan s':>8} {'longest stall ms':>17}  device")
    for number, row in enumerate(rounds, 1):
        print(f"{number:>5} {result['images']:>7} {row['scan_seconds']:>8.1f} {row['longest_stall_ms']:>17.1f}  {result['device']}")
    print(f"median longest stall {result['median_longest_stall_ms']:.1f} ms, worst {result['worst_longest_stall_ms']:.1f} ms; "
          f"{result['history_rows_written']} history rows written")
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
