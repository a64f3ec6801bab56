"""The watch command: images inspected as they arrive in a folder, each once, into the history."""

from __future__ import annotations

import argparse
from pathlib import Path

from radar_desktop.cli.console import cancel_on_interrupt, log
from radar_desktop.cli.scan_run import ScanRun
from radar_desktop.core.cancel import CancelToken
from radar_desktop.core.quantities import score_text


def watch_command(args: argparse.Namespace) -> int:
    """Inspect each new image in a folder once, printing its verdict, until stopped or a limit is reached."""
    from radar_desktop.history.database import HistoryDatabase
    from radar_desktop.history.watch import FolderWatcher, watch_folder
    from radar_desktop.sources.images import ImageReadError

    if not args.folder.is_dir():
        raise ImageReadError(f"{args.folder}: no such folder to watch")
    run = ScanRun(args, "watch")
    watcher = FolderWatcher(args.folder, settle_s=args.settle, channels=run.model.config.channels)

    def inspected(outcome) -> None:
        run.history.submit(outcome)
        verdict = "ERROR" if outcome.result is None else outcome.result.verdict.value
        detail = outcome.error if outcome.result is None else f"score {score_text(outcome.result.score)}"
        print(f"{Path(outcome.path).name}: {verdict} ({detail})", flush=True)

    said = [""]

    def status(message: str) -> None:  # a line when what the watch is doing changes, not every poll
        if message != said[0]:
            said[0] = message
            log(message)

    cancel = CancelToken()
    try:
        with cancel_on_interrupt(cancel), HistoryDatabase() as database:
            count = watch_folder(
                run.inspector, watcher, profile_hash=run.profile.content_hash, on_outcome=inspected, on_status=status,
                database=database, cancel=cancel, poll_s=args.poll, max_files=args.max_files, idle_exit_s=args.idle_exit,
            )
    finally:
        run.close_history()
    print(f"watched {args.folder}: {count} inspected")
    return 0
