"""Store scan outcomes and review decisions in the history from a thread of its own: no caller waits on the disk."""

from __future__ import annotations

import atexit
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from radar_desktop.core.atomic import write_text_atomic
from radar_desktop.core.records import ScanOutcome, local_timestamp
from radar_desktop.history.database import (
    DECISIONS,
    FILES_FOLDER,
    HistoryDatabase,
    HistoryError,
    Review,
    default_path,
    epoch_of,
)
from radar_desktop.history.recording import HistoryRecord, RecordContext, record_from_outcome

log = logging.getLogger(__name__)

_FLUSH = object()  # wakes the thread to commit now rather than at the end of its batch interval
_CLOSE = object()
UNSAVED_FOLDER = "unsaved"


@dataclass(frozen=True)
class ReviewRequest:
    """A person's decision on one stored inspection, waiting to be written."""

    inspection_id: int
    decision: str
    reason: str
    reviewer: str


@dataclass(frozen=True)
class ReviewResult:
    """How a submitted decision ended: the stored :class:`Review`, or None and the reason it was not stored."""

    inspection_id: int
    review: Review | None
    error: str = ""


class HistoryWriter:
    """A background thread that turns outcomes into history rows: picture files, then batched inserts.

    :meth:`submit` only enqueues. The thread builds each record (file hash, thumbnail and heatmap PNGs)
    and commits up to ``batch_size`` records per transaction, or what it has every ``interval_s``.
    Failures never reach the caller: they are logged and passed to ``on_error(message)`` (called on the
    writer's thread: a GUI must hand it to its own thread, e.g. through a queued signal). Records that
    could not be committed are kept and retried every ``retry_s``; any still unwritten at :meth:`close`
    are saved as JSON lines under ``<database folder>/unsaved/`` and the message says where.

    ``on_committed(pairs)`` hears, after each commit, ``(key, inspection id)`` for the outcomes submitted
    with a ``key``. :meth:`submit_review` writes a decision at once (never retried: the person decides
    again) and ``on_reviewed(ReviewResult)`` says how it ended. Both are called on the writer's thread.
    """

    def __init__(
        self, context: RecordContext, *, path: Path | None = None, on_error: Callable[[str], None] | None = None,
        on_committed: Callable[[list[tuple[object, int]]], None] | None = None,
        on_reviewed: Callable[[ReviewResult], None] | None = None,
        batch_size: int = 50, interval_s: float = 0.2, retry_s: float = 2.0,
    ) -> None:
        self.context = context  # what later submits are recorded with (a new lot, a new profile: set it again)
        self.path = Path(path) if path is not None else default_path()
        self.on_error = on_error
        self.on_committed = on_committed
        self.on_reviewed = on_reviewed
        self.batch_size, self.interval_s, self.retry_s = batch_size, interval_s, retry_s
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._submitted = 0
        self._settled = 0  # outcomes and decisions up to this number are committed or known to have failed
        self._written = 0
        self._unwritten: list[HistoryRecord] = []
        self._keys: list[object] = []  # the caller's key of each unwritten record (None: none given)
        self._closed = False
        self._stopped = False  # the thread ended on an unexpected error
        self._last_error = ""
        self._last_picture_error: tuple | None = None
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()
        atexit.register(self._close_at_exit)  # a forgotten close() still commits what was queued

    # -- caller's side -------------------------------------------------------------------------------

    def submit(self, outcome: ScanOutcome, context: RecordContext | None = None, key: object = None) -> None:
        """Queue one outcome to be recorded (with ``context``, else the writer's); returns at once.

        With a ``key``, ``on_committed`` later pairs it with the row's inspection id.
        """
        self._put((outcome, context or self.context, key))

    def submit_review(self, inspection_id: int, decision: str, reason: str = "", reviewer: str = "") -> None:
        """Queue a person's decision (OK or NOK) on a stored inspection; ``on_reviewed`` hears how it ended."""
        if decision not in DECISIONS:
            raise ValueError(f"a review decides OK or NOK, not {decision!r}")
        self._put(ReviewRequest(int(inspection_id), decision, reason, reviewer))

    def _put(self, work) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the history writer is closed")
            self._submitted += 1
            self._queue.put((self._submitted, work))

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Wait until everything submitted so far is committed; False on timeout or when some could not be."""
        with self._lock:
            target = self._submitted
        self._queue.put(_FLUSH)
        with self._changed:
            self._changed.wait_for(lambda: self._settled >= target or self._stopped, timeout)
            return self._settled >= target and not self._unwritten

    def close(self, timeout: float | None = 10.0) -> bool:
        """Commit what is queued and stop the thread; False when it did not finish in time or rows were not written."""
        with self._lock:
            already, self._closed = self._closed, True
        if not already:
            self._queue.put(_CLOSE)
            atexit.unregister(self._close_at_exit)
        self._thread.join(timeout)
        if self._thread.is_alive():
            with self._lock:
                waiting = self._submitted - self._settled
            self._report(f"the history writer did not finish within {timeout} s; {waiting} inspections not yet recorded")
            return False
        return not self._unwritten

    @property
    def written(self) -> int:
        """How many records were committed so far."""
        return self._written

    @property
    def waiting(self) -> int:
        """Outcomes and decisions submitted but not yet settled (for a status line)."""
        with self._lock:
            return self._submitted - self._settled

    @property
    def unwritten(self) -> tuple[HistoryRecord, ...]:
        """Records built but not committed (the database failed); kept and retried."""
        with self._lock:
            return tuple(self._unwritten)

    def _close_at_exit(self) -> None:
        self.close(timeout=5.0)

    # -- the writer's thread -------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        except Exception as error:  # a bug here must still say what it leaves behind
            log.exception("the history writer stopped")
            self._report(f"the history writer stopped ({error}); {self.waiting} inspections were not recorded")
            if self._unwritten:
                self._rescue()
            with self._changed:
                self._stopped = True
                self._changed.notify_all()

    def _loop(self) -> None:
        database: HistoryDatabase | None = None
        taken = 0  # number of the last outcome or decision taken from the queue
        oldest = None  # monotonic time the oldest uncommitted record was built
        retry_at = 0.0  # after a failed commit, when to try again
        closing = False
        while not closing:
            wait = None
            if self._unwritten:
                wait = max(0.0, max(oldest + self.interval_s, retry_at) - time.monotonic())
            try:
                item = self._queue.get(timeout=wait)
            except queue.Empty:
                item = None  # the batch interval (or the retry pause) is over
            if item is _CLOSE:
                closing = True
            elif item is not None and item is not _FLUSH:
                taken, work = item
                if isinstance(work, ReviewRequest):  # written at once; the batch goes with it
                    database = self._store_review(database, work)
                else:
                    self._build(*work)
                    oldest = oldest or time.monotonic()
                    now = time.monotonic()
                    due = now >= max(oldest + self.interval_s, retry_at)
                    full = len(self._unwritten) >= self.batch_size and now >= retry_at
                    if not (due or full):
                        continue
            database = self._commit(database)
            if self._unwritten:
                retry_at = time.monotonic() + self.retry_s
            else:
                oldest, retry_at = None, 0.0
            with self._changed:
                self._settled = taken
                self._changed.notify_all()
        if self._unwritten:
            self._rescue()
        if database is not None:
            database.close()

    def _build(self, outcome: ScanOutcome, context: RecordContext, key: object) -> None:
        """Append the outcome's record; a picture that cannot be written costs the picture, not the row."""
        files_dir = self.path.parent / FILES_FOLDER
        try:
            record = record_from_outcome(outcome, context=context, files_dir=files_dir)
            self._last_picture_error = None
        except Exception as error:
            kind = (type(error), getattr(error, "errno", None))
            if kind != self._last_picture_error:  # a full disk would otherwise say so for every part
                self._last_picture_error = kind
                self._report(f"no thumbnail or heatmap kept for {outcome.path} (nor for later ones failing the same way): {error}")
            else:
                log.warning("no thumbnail or heatmap kept for %s: %s", outcome.path, error)
            try:
                record = record_from_outcome(outcome, context=context, files_dir=None)
            except Exception as again:
                log.exception("cannot record %s", outcome.path)
                self._report(f"{outcome.path} was not recorded in the history: {again}")
                return
        try:
            epoch_of(record.inspected_at)
        except HistoryError as error:  # one bad time must not block every record batched with it
            self._report(f"{outcome.path}: {error}; recorded with the time it was stored instead")
            record = replace(record, inspected_at=local_timestamp())
        with self._lock:
            self._unwritten.append(record)
            self._keys.append(key)

    def _commit(self, database: HistoryDatabase | None) -> HistoryDatabase | None:
        """Insert every unwritten record in one transaction; returns the (possibly newly opened) database."""
        with self._lock:
            records, keys = list(self._unwritten), list(self._keys)
        if not records:
            return database
        try:
            if database is None:
                database = HistoryDatabase(self.path)
            ids = database.insert(records)
        except Exception as error:  # HistoryError above all; anything else is kept the same way
            log.debug("history commit failed", exc_info=True)
            message = f"{len(records)} inspections not yet recorded in the history (will retry): {error}"
            if str(error) != self._last_error:  # say it once, not at every retry
                self._last_error = str(error)
                self._report(message)
            return database
        if self._last_error:
            log.info("history writes work again")
            self._last_error = ""
        with self._lock:
            del self._unwritten[:len(records)]
            del self._keys[:len(records)]
            self._written += len(records)
        committed = [(key, row_id) for key, row_id in zip(keys, ids) if key is not None]
        if committed and self.on_committed is not None:
            self._call(self.on_committed, committed)
        return database

    def _store_review(self, database: HistoryDatabase | None, request: ReviewRequest) -> HistoryDatabase | None:
        """Write one decision in its own transaction; returns the (possibly newly opened) database."""
        try:
            if database is None:
                database = HistoryDatabase(self.path)
            review = database.add_review(
                request.inspection_id, request.decision, reason=request.reason, reviewer=request.reviewer
            )
        except Exception as error:  # HistoryError above all; the caller hears of any failure the same way
            log.error("the decision on inspection %d was not stored: %s", request.inspection_id, error)
            result = ReviewResult(request.inspection_id, None, f"the decision was not stored: {error}")
        else:
            result = ReviewResult(request.inspection_id, review)
        if self.on_reviewed is not None:
            self._call(self.on_reviewed, result)
        return database

    def _rescue(self) -> None:
        """Save the records the database would not take as JSON lines, so closing loses none of them."""
        records = self.unwritten
        target = self.path.parent / UNSAVED_FOLDER / f"history-{datetime.now():%Y%m%d-%H%M%S}-{len(records)}.jsonl"
        try:
            write_text_atomic(target, "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in records))
        except Exception as error:
            log.error("history records lost: %s", [asdict(r) for r in records])
            self._report(f"{len(records)} inspections could not be recorded in the history nor saved aside: {error}")
            return
        self._report(f"{len(records)} inspections could not be recorded in the history; they were saved to {target}")

    def _report(self, message: str) -> None:
        log.error("%s", message)
        if self.on_error is not None:
            self._call(self.on_error, message)

    @staticmethod
    def _call(callback: Callable, payload) -> None:
        try:
            callback(payload)
        except Exception:  # a broken callback must not stop the writer
            log.exception("history writer callback %r failed", callback)
