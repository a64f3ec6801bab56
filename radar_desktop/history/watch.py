"""The watch folder: images are inspected as they arrive, once they are complete, each once (by content).

A file counts as complete when its size and modification time have stayed the same for ``settle_s``
and it decodes as an image; a copy in progress is only looked at again on the next poll. A file whose
content (SHA-256) the history already holds for the same profile version is skipped, so restarting
the watch never inspects a file twice; within a run the hashes seen are kept in memory as well.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from radar_desktop.core.cancel import CancelToken
from radar_desktop.core.records import ScanOutcome
from radar_desktop.engine.jobs.inspection import Inspector
from radar_desktop.engine.jobs.scan import scan_files
from radar_desktop.history.database import HistoryDatabase
from radar_desktop.history.recording import file_sha256
from radar_desktop.sources.images import IMAGE_SUFFIXES, ImageReadError, read_image

UNREADABLE_AFTER_S = 30.0  # a stable file that still does not decode is inspected (and reported) after this


@dataclass
class _Seen:
    size: int
    mtime: float
    stable_since: float


class FolderWatcher:
    """Tells which image files of ``folder`` are complete and new, poll by poll."""

    def __init__(self, folder: Path, settle_s: float = 2.0, channels: int = 1) -> None:
        self.folder = Path(folder)
        self.settle_s = settle_s
        self.channels = channels
        self._files: dict[Path, _Seen] = {}
        self._done: set[Path] = set()
        self.waiting = 0  # files seen but not yet complete, after the last poll

    def poll(self, now: float | None = None) -> list[Path]:
        """Files that became complete since the last poll (each path at most once per run)."""
        now = time.monotonic() if now is None else now
        ready, waiting = [], 0
        for path in self._images():
            try:
                stat = path.stat()
            except OSError:
                continue  # gone between listing and looking
            seen = self._files.get(path)
            if seen is None or (seen.size, seen.mtime) != (stat.st_size, stat.st_mtime):
                self._files[path] = _Seen(stat.st_size, stat.st_mtime, now)
                waiting += 1
                continue
            if now - seen.stable_since < self.settle_s or not self._decodes(path, now - seen.stable_since):
                waiting += 1
                continue
            self._done.add(path)
            ready.append(path)
        self.waiting = waiting
        return ready

    def _images(self) -> list[Path]:
        try:
            entries = sorted(self.folder.iterdir())
        except OSError:
            return []
        return [p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES and p not in self._done and p.is_file()]

    def _decodes(self, path: Path, stable_for: float) -> bool:
        """Whether a size-stable file reads as an image (after long enough, report it even if not)."""
        try:
            read_image(path, self.channels)
        except ImageReadError:
            return stable_for >= UNREADABLE_AFTER_S
        return True


def watch_folder(
    inspector: Inspector,
    watcher: FolderWatcher,
    *,
    profile_hash: str,
    on_outcome: Callable[[ScanOutcome], None],
    on_status: Callable[[str], None] = lambda message: None,
    database: HistoryDatabase | None = None,
    cancel: CancelToken | None = None,
    poll_s: float = 1.0,
    max_files: int | None = None,
    idle_exit_s: float | None = None,
) -> int:
    """Inspect new complete files until cancelled (or ``max_files`` inspected, or idle ``idle_exit_s``);
    returns how many were inspected. ``database`` answers which contents were inspected before."""
    cancel = cancel or CancelToken()
    seen_hashes: set[str] = set()
    inspected = skipped = 0
    idle_since = time.monotonic()
    while not cancel.cancelled:
        for outcome in _inspect_new(inspector, watcher, profile_hash, database, seen_hashes):
            if outcome is None:
                skipped += 1
                continue
            on_outcome(outcome)
            inspected += 1
            idle_since = time.monotonic()
            if max_files is not None and inspected >= max_files:
                return inspected
        on_status(f"watching {watcher.folder}: {inspected} inspected, {skipped} already known, "
                  f"{watcher.waiting} arriving")
        if idle_exit_s is not None and time.monotonic() - idle_since >= idle_exit_s:
            return inspected
        cancel.wait(poll_s)
    return inspected


def _inspect_new(
    inspector: Inspector, watcher: FolderWatcher, profile_hash: str, database: HistoryDatabase | None, seen: set[str]
) -> Iterator[ScanOutcome | None]:
    """The outcome of each newly complete file, or None for a content inspected before."""
    for path in watcher.poll():
        digest = file_sha256(path)
        known = digest in seen or (digest is not None and database is not None and database.has_hash(digest, profile_hash))
        if known:
            yield None
            continue
        if digest is not None:
            seen.add(digest)
        yield next(iter(scan_files(inspector, [path])))
