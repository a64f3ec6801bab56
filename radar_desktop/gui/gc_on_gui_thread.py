"""Python's cycle collector, run on the GUI thread only.

Automatic collection runs on whichever thread happens to allocate when a threshold is crossed. On the
engine or history thread it can free Qt objects that live on the GUI thread; Qt's destructor then
waits for the GIL while holding a lock the GUI thread waits for, GIL in hand: both threads hang. (Seen
in the test suite: a closed window's actions freed by a collection that started inside torch on the
engine thread, while the GUI thread deleted a widget.) So the window turns automatic collection off
and collects on a GUI-thread timer instead, the generations that are due, as Python would.
"""

from __future__ import annotations

import functools
import gc

from PySide6.QtCore import QCoreApplication, QTimer

COLLECT_INTERVAL_MS = 500


@functools.cache
def collect_on_gui_thread() -> QTimer:
    """Turn automatic collection off and collect from a timer on the GUI thread (once per process)."""
    gc.disable()
    timer = QTimer(QCoreApplication.instance())
    timer.setInterval(COLLECT_INTERVAL_MS)
    timer.timeout.connect(collect_due_generation)
    timer.start()
    return timer


def collect_due_generation() -> int | None:
    """Collect the oldest generation whose count is over its threshold; the generation, or None if none was."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return generation
    return None
