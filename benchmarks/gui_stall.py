"""Longest GUI event-loop stall while the main window scans a folder.

The window must stay responsive while the engine thread works: a 10 ms timer on the GUI thread
measures how late it fires. Prints a table and writes JSON.

    python benchmarks/gui_stall.py --profile NAME --input FOLDER [--limit 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", type=Path, default=Path("gui_stall.json"))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from radar_desktop.gui.main_window import MainWindow, application
    from radar_desktop.sources.images import list_images

    app = application()
    window = MainWindow(args.device, args.profile)
    window.show()
    while window.profile is None:
        app.processEvents()
        time.sleep(0.01)
    files = list_images(args.input)[: args.limit]
    began = time.perf_counter()
    window.start_scan(files)
    while window.busy:
        app.processEvents()
        time.sleep(0.002)
    seconds = time.perf_counter() - began
    result = {
        "profile": args.profile,
        "device": window.profile.device,
        "images": len(window.table.model.outcomes),
        "scan_seconds": round(seconds, 2),
        "longest_stall_ms": round(window.longest_stall_ms, 1),
    }
    window.close()
    print(f"{'images':>7} {'scan s':>8} {'longest stall ms':>17}  device")
    print(f"{result['images']:>7} {result['scan_seconds']:>8.1f} {result['longest_stall_ms']:>17.1f}  {result['device']}")
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
