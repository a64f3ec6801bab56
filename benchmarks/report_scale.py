"""Time and peak memory of writing a PDF report as the batch grows (10, 100, 1,000 images).

Each size runs in a fresh process, so its peak RSS is its own; ratios are against the smallest batch,
which runs on the same machine in the same benchmark. Pictures are distinct synthetic 420 x 420 parts
with defects, so no two images are shared inside the PDF. Prints a table and writes JSON.

    python benchmarks/report_scale.py [--sizes 10,100,1000] [--json report_scale.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(count: int, only_flagged: bool) -> dict:
    """Build ``count`` entries, write their report, and measure it (runs in a child process)."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from radar_desktop.core.verdict import Thresholds
    from radar_desktop.reports.entries import ReportEntry
    from radar_desktop.reports.export import ReportFiles, export_report
    from radar_desktop.core.regions import OutlineLevels
    from radar_desktop.reports.figures import make_figure
    from radar_desktop.reports.pdf import PdfOptions
    from radar_desktop.reports.session import SessionInfo, build_report
    from tests.synthetic import add_defect, texture

    thresholds = Thresholds(0.5, 0.8)
    rng = np.random.default_rng(0)
    scores = rng.uniform(0, 1, count)
    entries = [
        ReportEntry(i + 1, f"/bench/part_{i:05d}.png", "2026-01-01T00:00:00+00:00", float(s), thresholds.verdict(float(s)).value)
        for i, s in enumerate(scores)
    ]
    session = SessionInfo("bench", "/bench", "bench", "0" * 64, "features", "CPU", thresholds)
    report = build_report(session, entries)

    def figure(entry: ReportEntry):
        local = np.random.default_rng(entry.index)
        image, mask = add_defect(texture(local, 420), local)
        return make_figure(image[:, :, None] / 255.0, mask.astype(np.float32), (0.0, 1.0), OutlineLevels.at(0.5))

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "report.pdf"
        began = time.perf_counter()
        pages = export_report(report, figure, ReportFiles(pdf), PdfOptions(only_flagged=only_flagged))
        seconds = time.perf_counter() - began
        size = pdf.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"images": count, "pages": pages, "seconds": seconds, "pdf_mb": size / 2**20, "peak_rss_growth_mb": (peak - base_rss) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--only-flagged", action="store_true")
    parser.add_argument("--json", type=Path, default=Path("report_scale.json"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one_run(args.one, args.only_flagged)))
        return
    rows = []
    for count in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(count)] + (["--only-flagged"] if args.only_flagged else [])
        rows.append(json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout))
    base = rows[0]
    print(f"{'images':>7} {'pages':>6} {'seconds':>8} {'x time':>7} {'PDF MB':>7} {'RSS growth MB':>14} {'x RSS':>6}")
    for row in rows:
        row["time_ratio"] = row["seconds"] / base["seconds"]
        row["rss_ratio"] = row["peak_rss_growth_mb"] / max(base["peak_rss_growth_mb"], 1e-9)
        print(
            f"{row['images']:>7} {row['pages']:>6} {row['seconds']:>8.2f} {row['time_ratio']:>7.1f} "
            f"{row['pdf_mb']:>7.1f} {row['peak_rss_growth_mb']:>14.1f} {row['rss_ratio']:>6.1f}"
        )
    args.json.write_text(json.dumps({"only_flagged": args.only_flagged, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
