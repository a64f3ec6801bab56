"""What the commands share on the terminal: a progress bar, messages beside it, Ctrl-C handling, verdict counts."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from radar_desktop.core.cancel import CancelToken, ProgressFn


@contextmanager
def progress_bar(description: str) -> Iterator[ProgressFn]:
    """A tqdm bar on an interactive terminal; silent otherwise (pipes, CI, a windowed app)."""
    from tqdm import tqdm

    stream = sys.stderr
    bar = tqdm(
        total=1000,
        desc=description,
        disable=not (stream and stream.isatty()),
        file=stream,
        leave=False,
        bar_format="{desc} {percentage:3.0f}% |{bar:24}| {elapsed}<{remaining}{postfix}",
    )

    def report(fraction: float, message: str) -> None:
        bar.n = int(1000 * min(max(fraction, 0.0), 1.0))
        bar.set_postfix_str(message, refresh=False)
        bar.refresh()

    try:
        yield report
    finally:
        bar.close()


def log(message: str) -> None:
    """A message on stderr that does not tear an active progress bar."""
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)


@contextmanager
def cancel_on_interrupt(cancel: CancelToken) -> Iterator[None]:
    """The first Ctrl-C asks the job to stop cleanly (it checkpoints); a second one stops at once."""

    def first_interrupt(signum, frame) -> None:
        log("stopping after the current step (press Ctrl-C again to abort at once)")
        cancel.cancel()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, first_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def counts_line(entries: list) -> str:
    """``12 files: 9 OK, 2 REVIEW, 1 NOK, 0 errors``."""
    from radar_desktop.reports.entries import verdict_counts

    counts = verdict_counts(e.verdict for e in entries)
    return (
        f"{len(entries)} files: {counts['OK']} OK, {counts['REVIEW']} REVIEW, {counts['NOK']} NOK, "
        f"{counts['ERROR']} errors"
    )
