"""Soak test of the live path: many frames through capture, newest-frame inspection and the view's polling,
with the process's memory, threads and open files sampled as it runs.

An in-memory camera (``tests/synthetic.py``: the woven texture, every tenth frame with a defect) feeds a
LiveSession; inspection runs on its own thread, as on the engine worker; the main thread takes the
status, scores, NOK frames and newest result every 40 ms as the live view does, or (``--gui``) runs the
real LiveViewWidget offscreen, repainting from its own timer. The default model is the shipped demo
profile. A short session runs first; the measured one's RSS baseline is taken after ``--warmup`` frames.
Prints a table and the growth from the baseline to the end, writes JSON.

    python benchmarks/soak.py [--frames 20000] [--size 128] [--fps 100] [--gui] [--profile FOLDER] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.engine.jobs.live import LiveResult, LiveSession
    from radar_desktop.profiles.profile import Profile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPAINT_S = 0.04  # as the live view's timer
JOIN_S = 30.0
WARM_UP_FRAMES = 300  # a short session before the measured one


@dataclass(frozen=True)
class Usage:
    """What the process holds at one moment; the /proc counts are ``None`` where there is no /proc."""

    rss_mb: float | None
    threads: int  # Python threads
    tasks: int | None  # OS threads, torch's and Qt's included
    fds: int | None


def usage() -> Usage:
    proc = Path("/proc/self")
    if not proc.is_dir():
        return Usage(None, threading.active_count(), None, None)
    rss_kb = int(re.search(r"^VmRSS:\s+(\d+) kB", (proc / "status").read_text(), re.MULTILINE).group(1))
    return Usage(rss_kb / 1024, threading.active_count(), len(os.listdir(proc / "task")), len(os.listdir(proc / "fd")))


def settled(before: Usage, within_s: float = 2.0) -> Usage:
    """Usage once threads just joined have left the OS's list as well (that can lag the join a little)."""
    deadline = time.monotonic() + within_s
    while True:
        now = usage()
        back = now.threads <= before.threads and (now.tasks or 0) <= (before.tasks or 0) and (now.fds or 0) <= (before.fds or 0)
        if back or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


@dataclass(frozen=True)
class Sample:
    """Usage when ``frames`` had been captured; RSS as its lowest and highest since the previous sample
    (inference allocates and frees tens of MB per frame, so one reading is noisy)."""

    frames: int
    inspected: int
    elapsed_s: float
    rss_low_mb: float | None
    rss_high_mb: float | None
    threads: int
    tasks: int | None
    fds: int | None


@dataclass(frozen=True)
class SoakRun:
    """A soak's samples while it ran, with usage ``before`` the session started and ``after`` it stopped."""

    before: Usage
    samples: tuple[Sample, ...]  # the last one is taken once all frames were captured, before stopping
    after: Usage
    warmup: int
    frames: int
    inspected: int
    dropped: int
    nok_taken: int

    @property
    def baseline(self) -> Sample:
        """The first sample taken wholly after warm-up (allocator and torch caches settled)."""
        starts = [0] + [s.frames for s in self.samples[:-1]]
        return next((s for s, start in zip(self.samples, starts) if start >= self.warmup), self.samples[-1])

    @property
    def end(self) -> Sample:
        return self.samples[-1]

    def rss_growth_mb(self) -> tuple[float, float] | None:
        """Growth of the lowest and of the highest RSS from the baseline to the end; ``None`` without /proc."""
        base, end = self.baseline, self.end
        if end.rss_low_mb is None:
            return None
        return end.rss_low_mb - base.rss_low_mb, end.rss_high_mb - base.rss_high_mb

    def summary(self) -> dict:
        """The numbers to report, RSS in MB to 0.1 MB."""
        growth = self.rss_growth_mb()
        span = self.end.frames - self.baseline.frames

        def mb(*values: float | None) -> list[float | None]:
            return [None if v is None else round(v, 1) for v in values]

        return {
            "frames": self.frames,
            "inspected": self.inspected,
            "dropped": self.dropped,
            "nok_taken": self.nok_taken,
            "seconds": round(self.end.elapsed_s, 1),
            "baseline_at_frame": self.baseline.frames,
            "rss_baseline_low_high_mb": mb(self.baseline.rss_low_mb, self.baseline.rss_high_mb),
            "rss_end_low_high_mb": mb(self.end.rss_low_mb, self.end.rss_high_mb),
            "rss_after_stop_mb": mb(self.after.rss_mb)[0],
            "rss_growth_low_high_mb": mb(*growth) if growth else None,
            "rss_growth_low_mb_per_1000_frames": mb(growth[0] * 1000 / span)[0] if growth and span else None,
            "threads_before_after": [self.before.threads, self.after.threads],
            "tasks_before_after": [self.before.tasks, self.after.tasks],
            "fds_before_after": [self.before.fds, self.after.fds],
        }


class View(Protocol):
    """What shows the session: ``tick`` every 40 ms on the main thread while it runs, ``close`` once stopped."""

    nok_taken: int

    def tick(self) -> None: ...

    def close(self) -> None: ...


class HeadlessView:
    """What the live view does on each repaint, without Qt: status, scores, queued NOK frames, newest result."""

    def __init__(self, session: LiveSession) -> None:
        self.session = session
        session.keep_nok = True
        self.nok_taken = 0
        self.state = ""
        self.shown: LiveResult | None = None

    def tick(self) -> None:
        session = self.session
        self.state = session.status.state
        session.scores()
        self.nok_taken += len(session.take_nok())
        self.shown = session.results.take(0) or self.shown

    def close(self) -> None:
        self.tick()  # the last repaint takes what is left


class WidgetView:
    """The real LiveViewWidget, offscreen, saving every NOK frame (counted, not written), repainting on its timer."""

    def __init__(self, session: LiveSession, profile: Profile) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from radar_desktop.gui.live_view import LiveViewWidget

        self.app = QApplication.instance() or QApplication([])
        self.widget = LiveViewWidget()
        entry = profile.entry()
        self.widget.set_profile(entry.thresholds, entry.map_range, profile.outline_levels())
        self.widget.autosave_box.setChecked(True)
        self.widget.sig_snapshot.connect(self._on_widget_snapshot)
        self.widget.resize(1000, 700)
        self.widget.show()
        self.widget.attach(session)
        self.app.processEvents()
        self.nok_taken = 0

    def _on_widget_snapshot(self, live: LiveResult) -> None:
        self.nok_taken += 1

    def tick(self) -> None:
        self.app.processEvents()  # the widget's own timer repaints

    def close(self) -> None:
        from PySide6.QtCore import QEvent

        self.widget.detach()  # the last repaint, as when the main window ends a live job
        self.widget.close()
        self.widget.deleteLater()
        self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def soak(session: LiveSession, inspector: Inspector, view: View, *, frames: int, every: int = 1000, warmup: int = 2000,
         on_sample: Callable[[Sample], None] = lambda sample: None, timeout_s: float | None = None) -> SoakRun:
    """Run ``session`` until ``frames`` are captured (or ``timeout_s``), inspecting on a thread of its own.

    Samples about every ``every`` captured frames; ``before`` is taken here, so warm the model up first.
    """
    before = usage()
    failure: list[BaseException] = []

    def inspect() -> None:
        try:
            session.inspect(inspector)
        except BaseException as error:  # re-raised on this thread
            failure.append(error)

    engine = threading.Thread(target=inspect, name="engine")
    samples: list[Sample] = []
    window: list[float] = []
    began = time.monotonic()
    deadline = began + timeout_s if timeout_s else float("inf")
    session.start()
    engine.start()
    try:
        while not failure:
            view.tick()
            now = usage()
            if now.rss_mb is not None:
                window.append(now.rss_mb)
            captured = session.capture.frames
            ended = captured >= frames or time.monotonic() > deadline
            if ended or captured >= (len(samples) + 1) * every:
                low, high = (min(window), max(window)) if window else (None, None)
                samples.append(Sample(captured, session.inspected, time.monotonic() - began, low, high,
                                      now.threads, now.tasks, now.fds))
                on_sample(samples[-1])
                window.clear()
            if ended:
                break
            time.sleep(REPAINT_S)
    finally:
        stopped = session.stop()
        engine.join(JOIN_S)
    if failure:
        raise failure[0]
    if not stopped or engine.is_alive():
        raise RuntimeError("capture or inspection did not stop in time")
    view.close()
    return SoakRun(before, tuple(samples), settled(before), warmup, session.capture.frames, session.inspected,
                   session.frames.dropped, view.nok_taken)


def format_row(sample: Sample) -> str:
    def mb(value: float | None) -> str:
        return f"{value:8.1f}" if value is not None else f"{'-':>8}"

    return (f"{sample.frames:>8} {sample.inspected:>9} {mb(sample.rss_low_mb)} {mb(sample.rss_high_mb)} "
            f"{sample.threads:>7} {sample.tasks or '-':>6} {sample.fds or '-':>5} {sample.elapsed_s:>9.1f}")


HEADER = (f"{'frames':>8} {'inspected':>9} {'RSS low':>8} {'RSS high':>8} {'threads':>7} {'tasks':>6} {'fds':>5} "
          f"{'elapsed s':>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=128, help="frame width and height in pixels")
    parser.add_argument("--fps", type=float, default=100.0, help="camera frame rate (0: as fast as read)")
    parser.add_argument("--every", type=int, default=1000, help="sample every this many frames")
    parser.add_argument("--warmup", type=int, default=2000, help="frames before the baseline sample")
    parser.add_argument("--profile", type=Path, default=None, help="profile folder (default: the demo profile)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--gui", action="store_true", help="drive the real LiveViewWidget offscreen")
    parser.add_argument("--json", type=Path, default=None, help="default: build/soak[-gui].json")
    args = parser.parse_args()

    import torch

    from radar_desktop.core.resources import demo_profile_folder
    from radar_desktop.engine.device import describe_device, resolve_device
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.engine.jobs.live import LiveSession
    from radar_desktop.profiles.profile import load_profile
    from tests.synthetic import SyntheticCamera

    profile = load_profile(args.profile or demo_profile_folder())
    model = profile.load_model(resolve_device(args.device))
    inspector = Inspector(model, profile.load_scorer(), profile.thresholds())

    def watch(frames: int) -> tuple[LiveSession, View]:
        session = LiveSession(SyntheticCamera(frames, size=args.size, fps=args.fps))
        return session, WidgetView(session, profile) if args.gui else HeadlessView(session)

    warm_session, warm_view = watch(WARM_UP_FRAMES)  # so what starts lazily (Qt's thread pool) is in the baseline
    soak(warm_session, inspector, warm_view, frames=WARM_UP_FRAMES)
    session, view = watch(args.frames)
    print(f"device {describe_device(model.device)}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"profile {profile.name!r} (image_size {model.config.image_size}), {args.frames} frames of "
          f"{args.size}x{args.size} at {args.fps:g} fps, {'LiveViewWidget offscreen' if args.gui else 'headless view'}")
    print(HEADER)
    run = soak(session, inspector, view, frames=args.frames, every=args.every, warmup=args.warmup,
               on_sample=lambda sample: print(format_row(sample), flush=True))
    summary = run.summary()
    for key, value in summary.items():
        print(f"{key:<34} {value!s:>14}")
    report = {
        "machine": platform.processor() or platform.machine(),
        "device": describe_device(model.device),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "summary": summary,
        "samples": [asdict(s) for s in run.samples],
        "before": asdict(run.before),
        "after": asdict(run.after),
    }
    path = args.json or ROOT / "build" / f"soak{'-gui' if args.gui else ''}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
