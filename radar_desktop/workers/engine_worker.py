"""The engine worker: one QObject on one long-lived QThread that owns the model.

Every job ends with exactly one terminal signal: ``sig_finished``, ``sig_failed`` or ``sig_cancelled``.
Cancellation is a token the GUI thread sets directly; the job polls it between batches.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from radar_desktop.core.cancel import CancelToken, Cancelled
from radar_desktop.core.regions import OutlineLevels
from radar_desktop.core.verdict import Thresholds

log = logging.getLogger(__name__)
ENGINE_NICE = 10  # CPU weight about a tenth of the GUI thread's while both want a core


@dataclass(frozen=True)
class WatchRequest:
    """A folder to watch with the loaded profile: new images are inspected once complete and new by content."""

    folder: Path
    profile_hash: str
    channels: int
    database_path: Path
    settle_s: float = 2.0
    poll_s: float = 1.0


@dataclass(frozen=True)
class LoadedProfile:
    """What the GUI needs to know about the profile the worker has loaded."""

    name: str
    scorer: str
    device: str
    thresholds: Thresholds
    map_range: tuple[float, float]
    outline: OutlineLevels
    content_hash: str
    model: dict
    inspection: dict = field(default_factory=dict)  # scale, acceptance rules, mask flag (Profile.inspection)
    selftest: dict = field(default_factory=dict)
    mask: np.ndarray | None = None  # the inspection mask (1: inspected), shown faintly in the viewer
    scorer_parts: tuple[str, ...] = ()  # what the score is made of (a fused scorer's parts)
    read_scale: bool = False  # scores read 0 for a typical good part, 1 at the NOK line
    promise: tuple[str, ...] = ()  # what the thresholds promise and what that rests on


class EngineWorker(QObject):
    """Runs profile loading, scans, live inspection, training, recalibration and report writing off the GUI thread."""

    sig_profile_loaded = Signal(object)
    """LoadedProfile of the profile now active."""
    sig_progress = Signal(float, str)
    """Fraction 0..1 and a short message."""
    sig_outcome = Signal(object)
    """One ScanOutcome, in scan order."""
    sig_report_written = Signal(object, int)
    """ReportFiles written and the PDF's page count."""
    sig_trained = Signal(object)
    """PreparedProfile made by a training job (not yet saved)."""
    sig_loss = Signal(int, float)
    """Training step and the mean loss of the last 10 steps."""
    sig_recalibrated = Signal(object)
    """Recalibration: the profile's new version, reviewed-good images added and skipped, thresholds before and after."""
    sig_log = Signal(str)
    """A line for the user about the running job."""
    sig_watch_status = Signal(str)
    """What the watch-folder job is doing (inspected, already known, still arriving)."""
    sig_device = Signal(str)
    """Name of the device the loaded model runs on after an out-of-memory notice (a GPU hands over to the CPU)."""
    sig_finished = Signal(str)
    """Name of the job that completed."""
    sig_failed = Signal(str, str)
    """User message and the traceback (also logged)."""
    sig_cancelled = Signal(str)
    """Name of the job that stopped on request."""

    def __init__(self, device_name: str = "auto") -> None:
        super().__init__()
        self._device_name = device_name
        self._inspector = None
        self._cancel = CancelToken()

    def cancel(self) -> None:
        """Ask the running job to stop; safe to call from any thread."""
        self._cancel.cancel()

    def _run(self, job: str, work: Callable[[], None]) -> None:
        self._cancel = CancelToken()
        try:
            work()
        except Cancelled:
            self.sig_cancelled.emit(job)
        except Exception as error:  # every failure must reach the user, never kill the thread
            details = traceback.format_exc()
            log.error("%s failed:\n%s", job, details)
            self.sig_failed.emit(f"{job} failed: {error}", details)
        else:
            self.sig_finished.emit(job)

    @Slot(str)
    def load_profile(self, name: str) -> None:
        """Load a profile's model and scorer onto the device."""
        self._run("load profile", lambda: self._load(name))

    def _load(self, name: str) -> None:
        from radar_desktop.engine.device import describe_device, resolve_device
        from radar_desktop.engine.jobs.inspection import Inspector
        from radar_desktop.engine.models.spaces import model_record
        from radar_desktop.profiles.promises import promise_lines
        from radar_desktop.profiles.store import open_profile

        self._inspector = None
        profile = open_profile(name)
        device = resolve_device(self._device_name)
        model = profile.load_model(device)
        scorer = profile.load_scorer()
        self._inspector = Inspector(
            model, scorer, profile.thresholds(), on_notice=self._notice, plan=profile.inspection_plan()
        )
        self.sig_profile_loaded.emit(
            LoadedProfile(
                name=profile.name,
                scorer=scorer.name,
                device=describe_device(device),
                thresholds=profile.thresholds(),
                map_range=profile.entry().map_range,
                outline=profile.outline_levels(),
                scorer_parts=tuple(profile.entry().parts),
                read_scale=profile.entry().read_scale,
                content_hash=profile.content_hash,
                model=model_record(model),
                inspection=dict(profile.inspection),
                selftest=dict(profile.selftest),
                mask=profile.inspection_mask(),
                promise=promise_lines(profile),
            )
        )

    def _notice(self, message: str) -> None:
        log.warning(message)
        self.sig_log.emit(message)
        if self._inspector.model.device.type == "cpu":  # the only move there is: to the CPU
            self.sig_device.emit("CPU")

    @Slot(list)
    def scan(self, paths: list[Path]) -> None:
        """Inspect the files in order, emitting one outcome each."""
        self._run("scan", lambda: self._scan(paths))

    def _scan(self, paths: list[Path]) -> None:
        from radar_desktop.engine.jobs.scan import scan_files

        if self._inspector is None:
            raise RuntimeError("no profile is loaded")
        cancel = self._cancel
        for outcome in scan_files(self._inspector, paths, cancel=cancel, progress=self.sig_progress.emit):
            self.sig_outcome.emit(outcome)

    @Slot(object)
    def live(self, session) -> None:
        """Inspect a LiveSession's newest frames until cancelled, its frame budget is spent or capture stops."""
        self._run("live", lambda: self._live(session))

    def _live(self, session) -> None:
        if self._inspector is None:
            raise RuntimeError("no profile is loaded")
        session.inspect(self._inspector, self._cancel)

    @Slot(object)
    def watch(self, request) -> None:
        """Inspect a WatchRequest's folder as complete new images arrive, until cancelled."""
        self._run("watch", lambda: self._watch(request))

    def _watch(self, request) -> None:
        from radar_desktop.history.database import HistoryDatabase, HistoryError
        from radar_desktop.history.watch import FolderWatcher, watch_folder

        if self._inspector is None:
            raise RuntimeError("no profile is loaded")
        try:  # the history answers which contents were inspected before (across restarts)
            database = HistoryDatabase(request.database_path)
        except HistoryError as error:
            database = None
            self.sig_log.emit(f"history unavailable, files already inspected may be inspected again: {error}")
        try:
            watch_folder(
                self._inspector, FolderWatcher(request.folder, request.settle_s, request.channels),
                profile_hash=request.profile_hash, on_outcome=self.sig_outcome.emit,
                on_status=self.sig_watch_status.emit, database=database, cancel=self._cancel, poll_s=request.poll_s,
            )
        finally:
            if database is not None:
                database.close()
        if self._cancel.cancelled:
            raise Cancelled()

    @Slot(object)
    def train(self, settings: dict) -> None:
        """Train and calibrate a profile (``make_profile``'s arguments, less device and callbacks)."""
        self._run("train", lambda: self._train(settings))

    def _train(self, settings: dict) -> None:
        from radar_desktop.engine.device import resolve_device
        from radar_desktop.engine.scorers.registry import DEFAULT_SCORERS
        from radar_desktop.profiles.builder import make_profile

        prepared = make_profile(
            **{"default_scorer": DEFAULT_SCORERS[settings["model_config"].space], **settings},
            device=resolve_device(self._device_name),
            cancel=self._cancel,
            progress=self.sig_progress.emit,
            log=self.sig_log.emit,
            on_loss=self.sig_loss.emit,
        )
        self.sig_trained.emit(prepared)

    @Slot(str, object)
    def recalibrate(self, profile_name: str, images) -> None:
        """Add reviewed-good images (GoodImage) to a profile's held-back set and recalibrate its thresholds."""
        self._run("recalibrate", lambda: self._recalibrate(profile_name, list(images)))

    def _recalibrate(self, profile_name: str, images: list) -> None:
        from radar_desktop.engine.device import resolve_device
        from radar_desktop.profiles.recalibration import recalibrate

        result = recalibrate(
            profile_name, images, resolve_device(self._device_name), cancel=self._cancel, progress=self.sig_progress.emit
        )
        self.sig_recalibrated.emit(result)

    @Slot(object, object)
    def export_report(self, request, figures) -> None:
        """Write a ReportRequest's files; ``figures`` makes each pictured entry's pictures."""
        self._run("report", lambda: self._export(request, figures))

    def _export(self, request, figures) -> None:
        from radar_desktop.reports.export import export_report

        pages = export_report(
            request.report, figures, request.files, request.options, cancel=self._cancel, progress=self.sig_progress.emit
        )
        self.sig_report_written.emit(request.files, pages)


def yield_to_gui() -> None:
    """Lower the calling thread's CPU priority, on Linux (where nice is per thread).

    Threads it starts inherit it, torch's intra-op threads among them (they start with the engine's first
    model call). The engine then still has every core while the window is idle, but the GUI thread gets
    one back within a time slice when it needs to paint: on a 2-core machine the scan's two torch threads
    otherwise keep it waiting 100 ms and more (benchmarks/gui_stall.py).
    """
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, max(ENGINE_NICE, os.getpriority(os.PRIO_PROCESS, thread)))
    except OSError as error:  # a container may forbid it; the engine then runs at the GUI's priority
        log.warning("could not lower the engine thread's priority: %s", error)


class EngineThread:
    """Owns the worker's QThread: starts it, and stops it cleanly on close."""

    def __init__(self, worker: EngineWorker) -> None:
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName("engine")
        worker.moveToThread(self.thread)
        self.thread.started.connect(yield_to_gui, Qt.DirectConnection)  # runs on the new thread, first
        self.thread.start(QThread.LowPriority)  # where Qt can set a thread's priority (not on Linux)

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Cancel the running job, quit the thread and wait; False (and a log line) if it did not end."""
        self.worker.cancel()
        self.thread.quit()
        finished = self.thread.wait(timeout_ms)
        if not finished:
            log.error("the engine thread did not stop within %d ms", timeout_ms)
        return finished
