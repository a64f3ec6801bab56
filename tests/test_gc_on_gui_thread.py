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
    collector = gc_on_gui_thread.collect_on_gui_thread()
    assert not gc.isenabled() and collector.is_active() and gc_on_gui_thread.collect_on_gui_thread() is collector
    freed = []
    cycle = Node()
    cycle.me = cycle
    weakref.finalize(cycle, lambda: freed.append(threading.current_thread().name))  # the thread that frees it
    del cycle
    kept = []
    worker = threading.Thread(target=lambda: kept.extend([[] for _ in range(5 * gc.get_threshold()[0])]),
                              name="allocating")
    worker.start()
    worker.join()
    assert freed == []  # far over the threshold, and yet that thread collected nothing

    def freed_while_allocating() -> bool:
        """Keep the young generation due on every tick: a cycle that another thread's leftovers pushed
        into the middle generation is then freed too, as the middle one comes due every tenth tick."""
        kept.extend([] for _ in range(gc.get_threshold()[0] // 4))
        return bool(freed)

    # a busy machine delays the 500 ms ticks: waiting long costs nothing when they come on time
    qtbot.waitUntil(freed_while_allocating, timeout=120_000)
    assert freed == ["MainThread"]


def test_young_generations_are_collected_when_due_and_the_full_one_only_when_idle_and_seldom(monkeypatch):
    collector = gc_on_gui_thread.GuiThreadCollector()
    gc.collect()
    assert collector.collect_due() is None
    kept = [[] for _ in range(2 * gc.get_threshold()[0])]
    assert collector.collect_due() == 0 and kept
    monkeypatch.setattr(gc, "get_count", lambda: (0, 0, 99))  # a full collection is due
    assert collector.collect_due() is None  # but one ran just now (at start)
    monkeypatch.setattr(gc_on_gui_thread, "FULL_EVERY_S", 0.0)
    collector.idle = lambda: False
    assert collector.collect_due() is None  # a scan is running: it waits
    collector.idle = lambda: True
    assert collector.collect_due() == 2
