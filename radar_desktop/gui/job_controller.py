"""One place that starts the engine worker's jobs, shows their progress and ends them, for every tab."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from radar_desktop.gui.stall_monitor import StallMonitor
from radar_desktop.workers.engine_worker import EngineWorker

log = logging.getLogger(__name__)
FAILED_MESSAGE = "Failed; the results in the table are kept"
WorkerCall = Callable[[EngineWorker], None]


class JobEnd(Enum):
    """How a job ended (its worker's terminal signal)."""

    FINISHED = "finished"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class _Job:
    name: str
    ended: Callable[[JobEnd], str]
    stops_on_cancel: bool
    own_controls: bool


class JobController(QObject):
    """Runs the worker's jobs one at a time and owns the status bar: its message, progress bar and Cancel button.

    :meth:`start` is the one way to run a job: the window is busy, the call runs on the worker's thread, and
    the worker's terminal signal (finished, cancelled or failed) ends it: the job's ``ended`` callback says
    how in the status line, a failure also opens a dialog, and the window is idle again.
    """

    sig_busy_changed = Signal(bool)
    """True when a job starts, False once it has ended."""
    sig_ended = Signal(int)
    """Exit status (0 success) of a job that ended or of a request refused, for a task given on the command line."""

    def __init__(self, worker: EngineWorker, status_label: QLabel, progress: QProgressBar, cancel_button: QPushButton,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.worker = worker
        self.status_label, self.progress, self.cancel_button = status_label, progress, cancel_button
        self.stall_monitor = StallMonitor(parent=self)
        self.longest_stall_ms = 0.0
        self.lent = False  # the calibration wizard runs its own job on the worker and reports on it
        self._job: _Job | None = None
        self._notices: list[str] = []
        worker.sig_progress.connect(self._on_worker_progress)
        worker.sig_log.connect(self._on_worker_log)
        worker.sig_watch_status.connect(self._on_worker_watch_status)
        worker.sig_finished.connect(self._on_worker_finished)
        worker.sig_cancelled.connect(self._on_worker_cancelled)
        worker.sig_failed.connect(self._on_worker_failed)
        cancel_button.clicked.connect(self._on_cancel_button_clicked)

    @property
    def busy(self) -> bool:
        return self._job is not None

    def start(self, job: str, message: str, call: WorkerCall, ended: Callable[[JobEnd], str], *,
              stops_on_cancel: bool = False, own_controls: bool = False) -> bool:
        """Run ``call(worker)`` on the worker's thread as the job named ``job`` (the name its signals carry);
        False, and nothing runs, while another job runs.

        ``ended`` gives the status line once the job has ended, and does the job's own tidying up. A job that
        ``stops_on_cancel`` (a watch, live inspection) runs until cancelled: that is its normal end. A job with
        ``own_controls`` (live inspection's Stop button) leaves the progress bar and the Cancel button alone.
        """
        if self.busy:
            return False
        self._job = _Job(job, ended, stops_on_cancel, own_controls)
        self.sig_busy_changed.emit(True)
        if not own_controls:
            self.cancel_button.setEnabled(True)
            self.progress.setValue(0)
        self.status_label.setText(message)
        self.stall_monitor.start()
        self.request(call)
        return True

    def request(self, call: WorkerCall) -> None:
        """Run ``call(worker)`` on the worker's thread outside any job (loading a profile: not cancellable,
        and the window is not busy); a failure is shown like a job's."""
        worker = self.worker
        QTimer.singleShot(0, worker, lambda: call(worker))

    def cancel(self, message: str = "Cancelling after the current batch…") -> None:
        """Ask the running job to stop; its cancelled signal ends it."""
        self.cancel_button.setEnabled(False)
        self.status_label.setText(message)
        self.worker.cancel()

    @contextlib.contextmanager
    def lent_out(self) -> Iterator[None]:
        """The calibration wizard drives the worker meanwhile: its job's lines and failures are its own."""
        self.lent = True
        try:
            yield
        finally:
            self.lent = False

    def show_status(self, message: str) -> None:
        self.status_label.setText(message)

    def show_error(self, message: str, details: str = "") -> None:
        """A non-blocking error dialog; the traceback (if any) is under 'Show Details'."""
        self.status_label.setText(message)
        box = QMessageBox(QMessageBox.Critical, "RADAR Desktop", message, QMessageBox.Ok, self.parent())
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    def refuse(self, message: str) -> None:
        """A request that could not become a job (nothing to inspect, no such camera): said in a dialog, and a
        task given on the command line ends with status 1."""
        self.show_error(message)
        self.sig_ended.emit(1)

    def _end(self, job: _Job, end: JobEnd) -> None:
        self._job = None
        message = job.ended(end)
        if self._notices:  # e.g. an out-of-memory fallback: the user should still see it when the job ends
            message = f"{message}. {' '.join(dict.fromkeys(self._notices))}"
            self._notices.clear()
        self.longest_stall_ms = self.stall_monitor.stop()
        log.info("%s; longest event-loop stall %.0f ms", message, self.longest_stall_ms)
        self.cancel_button.setEnabled(False)
        self.status_label.setText(message)
        self.sig_busy_changed.emit(False)

    def _on_worker_finished(self, name: str) -> None:
        self._on_job_ended(name, JobEnd.FINISHED)

    def _on_worker_cancelled(self, name: str) -> None:
        self._on_job_ended(name, JobEnd.CANCELLED)

    def _on_job_ended(self, name: str, end: JobEnd) -> None:
        job = self._job
        if job is None or job.name != name:
            return  # a profile load, or the wizard's training: not a job of ours
        if end is JobEnd.FINISHED and not job.own_controls:
            self.progress.setValue(1000)
        self._end(job, end)
        self.sig_ended.emit(0 if end is JobEnd.FINISHED or job.stops_on_cancel else 1)

    def _on_worker_failed(self, message: str, details: str) -> None:
        if self.lent:
            return
        if self._job is not None:
            self._end(self._job, JobEnd.FAILED)
        self.show_error(message, details)
        self.sig_ended.emit(1)

    def _on_worker_progress(self, fraction: float, _message: str) -> None:
        self.progress.setValue(int(fraction * 1000))

    def _on_worker_log(self, message: str) -> None:
        if self.lent:
            return  # the calibration wizard shows its own job's lines
        self._notices.append(message)
        self.status_label.setText(message)

    def _on_worker_watch_status(self, message: str) -> None:
        self.status_label.setText(message[:1].upper() + message[1:])

    def _on_cancel_button_clicked(self) -> None:
        self.cancel()
