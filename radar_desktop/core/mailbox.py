"""A newest-wins mailbox between a producer that must never wait and a slower consumer."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class NewestWins(Generic[T]):
    """Holds at most one item: ``put`` replaces what is there (counting it as dropped), ``take`` empties it.

    A camera writes every frame it captures; inspection takes the newest one whenever it is ready.
    Memory stays bounded however slow the consumer is, and the consumer never works on a stale frame.
    """

    def __init__(self) -> None:
        self._item: T | None = None
        self._ready = threading.Condition()
        self._closed = False
        self.put_count = 0
        self.dropped = 0

    def put(self, item: T) -> None:
        with self._ready:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self.put_count += 1
            self._ready.notify()

    def take(self, timeout: float | None = None) -> T | None:
        """The newest item, waiting up to ``timeout`` seconds; ``None`` on timeout or once closed and empty."""
        with self._ready:
            self._ready.wait_for(lambda: self._item is not None or self._closed, timeout)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        """Wake any waiting consumer; later ``take`` calls return what is left, then ``None`` at once."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
