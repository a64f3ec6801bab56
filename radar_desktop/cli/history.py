"""The history command: list the inspection history, or export it to CSV and a PDF report."""

from __future__ import annotations

import argparse
import sys

from radar_desktop.cli.console import counts_line, progress_bar
from radar_desktop.core.atomic import check_writable


def history_command(args: argparse.Namespace) -> int:
    """List or export history rows; the database module does the querying, this only prints."""
    from radar_desktop.history.database import HistoryDatabase, HistoryError, HistoryFilter, parse_when
    from radar_desktop.history.export import history_table

    flt = HistoryFilter(
        date_from=parse_when(args.date_from) if args.date_from else None,
        date_to=parse_when(args.date_to) if args.date_to else None,
        profile_name=args.profile, verdicts=tuple(args.verdict or ()), lot=args.lot, operator=args.operator,
        name=args.name, origin=args.origin,
    )
    if args.action == "export" and not (args.csv or args.pdf):
        print("radar-desktop history export: error: give --csv FILE, --pdf FILE or both", file=sys.stderr)
        return 2
    try:
        with HistoryDatabase() as database:
            if args.action == "export":
                return _export_history(database, flt, args)
            rows = database.query(flt, limit=args.limit)
            if not rows:
                print("no inspections match", file=sys.stderr)
                return 0
            print("\n".join(history_table(rows)))
            print(f"{len(rows)} of {database.count(flt)} matching inspections, newest first")
    except HistoryError as error:
        print(f"radar-desktop history: error: {error}", file=sys.stderr)
        return 1
    return 0


def _export_history(database, flt, args: argparse.Namespace) -> int:
    """The matching rows to CSV and/or a PDF report of them (checked writable before anything is written)."""
    from radar_desktop.core.records import login_name
    from radar_desktop.history.export import write_history_csv
    from radar_desktop.history.report_export import history_figures, history_report
    from radar_desktop.reports.export import ReportFiles, export_report
    from radar_desktop.reports.pdf import PdfOptions

    files = ReportFiles(args.pdf) if args.pdf else None
    for path in [args.csv] + (files.written() if files else []):
        if path is not None:
            check_writable(path)
    if files is not None:  # the PDF's checks (one profile, not too many rows) come before any file is written
        made = history_report(database, flt, operator=args.filed_by or login_name() or "unknown")
    if args.csv:
        print(f"{write_history_csv(database, flt, args.csv)} inspections -> {args.csv}")
    if files is not None:
        options = PdfOptions(page_size=args.page_size, only_flagged=args.only_flagged)
        with progress_bar("report") as progress:
            pages = export_report(made.report, history_figures(database.files_dir, made.rows), files, options, progress=progress)
        print(f"report {made.report.report_id}: {counts_line(list(made.report.entries))}; {pages} pages -> "
              f"{', '.join(str(p) for p in files.written())}")
    return 0
