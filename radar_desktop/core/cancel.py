"""Cooperative cancellation and progress reporting shared by every long job."""

from __future__ import annotations

import threading
from typing import Protocol


class Cancelled(Exception):
    """Raised inside a job when its cancel token was set."""


class CancelToken:
    """A thread-safe flag a job polls between units of work (batches, steps)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking at once on cancellation; returns whether it was cancelled."""
        return self._event.wait(seconds)

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` when cancellation was requested."""
        if self._event.is_set():
            raise Cancelled()


class ProgressFn(Protocol):
    """Progress callback: ``fraction`` in 0..1 and a short human message."""

    def __call__(self, fraction: float, message: str) -> None: ...


def no_progress(fraction: float, message: str) -> None:
    """Progress callback that ignores its reports."""
