"""The window's threads never run Python's cycle collector: it runs from a timer on the GUI thread."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

pytestmark = pytest.mark.gui
gc_on_gui_thread = pytest.importorskip("radar_desktop.gui.gc_on_gui_thread",
                                       reason="the no-Qt layer check blocks PySide6")


class Node:
    """A part of a reference cycle: only the cycle collector frees it."""


def test_a_cycle_is_freed_by_the_gui_threads_timer_not_by_a_thread_that_allocates(qtbot):
    timer = gc_on_gui_thread.collect_on_gui_thread()
    assert not gc.isenabled() and timer.isActive() and gc_on_gui_thread.collect_on_gui_thread() is timer
    freed = []
    cycle = Node()
    cycle.me = cycle
    weakref.finalize(cycle, freed.append, threading.current_thread().name)
    del cycle
    kept = []
    worker = threading.Thread(target=lambda: kept.extend([[] for _ in range(5 * gc.get_threshold()[0])]),
                              name="allocating")
    worker.start()
    worker.join()
    assert freed == []  # far over the threshold, and yet that thread collected nothing
    qtbot.waitUntil(lambda: freed == ["MainThread"], timeout=5_000)


def test_only_a_generation_over_its_threshold_is_collected():
    gc.collect()
    assert gc_on_gui_thread.collect_due_generation() is None
    kept = [[] for _ in range(2 * gc.get_threshold()[0])]
    assert gc_on_gui_thread.collect_due_generation() == 0 and kept
