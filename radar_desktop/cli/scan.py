"""The scan and report commands: a folder or file inspected into a CSV, or into a PDF report."""

from __future__ import annotations

import argparse
from pathlib import Path

from radar_desktop.cli.console import cancel_on_interrupt, counts_line, progress_bar
from radar_desktop.cli.scan_run import ScanRun
from radar_desktop.core.atomic import WriteError, check_writable
from radar_desktop.core.cancel import CancelToken


def rescued(error: WriteError, entries: list, name: str) -> WriteError:
    """``error``, once the results' CSV is saved under the data folder's ``unsaved/`` instead, saying where."""
    from datetime import datetime

    from radar_desktop.profiles.paths import data_home
    from radar_desktop.reports.entries import write_entries_csv

    rescue = data_home() / "unsaved" / f"{datetime.now():%Y%m%d-%H%M%S}-{name}"
    write_entries_csv(entries, rescue)
    return WriteError(f"{error}. The {len(entries)} results were saved instead to {rescue}")


def write_csv_or_rescue(entries: list, path: Path) -> None:
    """Write the results' CSV to ``path``, or, when that cannot be saved, to a rescue copy; the error
    then says where the results went, so none is lost."""
    from radar_desktop.reports.entries import write_entries_csv

    try:
        write_entries_csv(entries, path)
    except WriteError as error:
        raise rescued(error, entries, path.name) from error


def scan_command(args: argparse.Namespace) -> int:
    """Inspect a file or folder into a CSV (and heatmap overlays), recording each inspection in the history."""
    from radar_desktop.reports.heatmap_image import colorize, overlay, save_png

    check_writable(args.csv)
    if args.maps:
        check_writable(args.maps / "heatmap.png")
    run = ScanRun(args, "cli-scan")

    def save_map(entry, result, load_image) -> None:
        if args.maps:
            heat = colorize(result.anomaly_map, *run.calibration.map_range)
            save_png(overlay(load_image(), heat), args.maps / f"{Path(entry.path).stem}_heatmap.png")

    try:
        run.scan(args.input, save_map)
    finally:
        write_csv_or_rescue(run.entries, args.csv)  # whatever was inspected before an interruption is kept
        run.close_history()
    print(f"{counts_line(run.entries)} -> {args.csv}")
    return 0


def report_command(args: argparse.Namespace) -> int:
    """Inspect a file or folder into a PDF report with its JSON sidecar (and a CSV)."""
    from radar_desktop.reports.export import ReportFiles, export_report
    from radar_desktop.reports.figures import make_figure, outlined
    from radar_desktop.reports.pdf import PdfOptions
    from radar_desktop.core.records import login_name
    from radar_desktop.reports.session import build_report

    options = PdfOptions(page_size=args.page_size, only_flagged=args.only_flagged)
    files = ReportFiles(args.pdf, args.csv)
    for path in files.written():  # fail before a long scan, not after it
        check_writable(path)
    run = ScanRun(args, "cli-report")
    figures = {}  # small JPEGs, so a large batch does not keep full-size maps

    def keep_figure(entry, result, load_image) -> None:
        if entry.flagged or not options.only_flagged:
            figures[entry.index] = make_figure(load_image(), result.anomaly_map, run.calibration.map_range, outlined(result, run.outline))

    cancel = CancelToken()
    with cancel_on_interrupt(cancel):
        try:
            run.scan(args.input, keep_figure, cancel)
        finally:
            run.close_history()
        report = build_report(run.session(args.operator or login_name() or "unknown", str(args.input.resolve())), run.entries)
        with progress_bar("report") as progress:
            try:
                pages = export_report(report, lambda e: figures.get(e.index), files, options, cancel=cancel, progress=progress)
            except WriteError as error:
                raise rescued(error, run.entries, files.pdf.with_suffix(".csv").name) from error
    written = ", ".join(str(p) for p in files.written())
    print(f"report {report.report_id}: {counts_line(run.entries)}; {pages} pages -> {written}")
    return 0
