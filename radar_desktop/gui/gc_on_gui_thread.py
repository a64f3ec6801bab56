"""Python's cycle collector, run on the GUI thread only.

Automatic collection runs on whichever thread happens to allocate when a threshold is crossed. On the
engine or history thread it can free Qt objects that live on the GUI thread; Qt's destructor then
waits for the GIL while holding a lock the GUI thread waits for, GIL in hand: both threads hang. (Seen
in the test suite: a closed window's actions freed by a collection that started inside torch on the
engine thread, while the GUI thread deleted a widget.) So the window turns automatic collection off
and collects on a GUI-thread timer instead: the young generations when due, as Python would.

A full collection walks every object (half a million once torch is loaded: about 0.3 s here), so it
runs when the window says it is idle and at most every ``FULL_EVERY_S``, and once after a model has
loaded (which moves what the import made out of the young generations).
"""

from __future__ import annotations

import functools
import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer

COLLECT_INTERVAL_MS = 500
FULL_EVERY_S = 600.0


class GuiThreadCollector(QObject):
    """Collects from a timer on the GUI thread; ``idle()`` says whether a long pause would go unnoticed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle: Callable[[], bool] = lambda: True
        self._last_full = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int | None:
        """Collect the oldest generation that is due (the full one only when idle, and seldom);
        returns the generation collected, or None."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[2] > thresholds[2] and self.idle() and time.monotonic() - self._last_full >= FULL_EVERY_S:
            return self.collect_all()
        for generation in (1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return generation
        return None

    def collect_all(self) -> int:
        """A full collection now (after a model load, while the window still says it is loading)."""
        gc.collect()
        self._last_full = time.monotonic()
        return 2

    def is_active(self) -> bool:
        return self._timer.isActive()


@functools.cache
def collect_on_gui_thread() -> GuiThreadCollector:
    """Turn automatic collection off and collect on the GUI thread instead (once per process)."""
    gc.disable()
    return GuiThreadCollector(QCoreApplication.instance())
