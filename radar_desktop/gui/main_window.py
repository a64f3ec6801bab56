"""The operator's main window: the toolbar, the tabs and the status line, wired together."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QProgressBar, QPushButton, QTabWidget, QToolBar

from radar_desktop import __version__
from radar_desktop.core.resources import icon_path
from radar_desktop.gui.drift_chart import DriftChartWidget
from radar_desktop.gui.gc_on_gui_thread import collect_on_gui_thread
from radar_desktop.gui.history_view import HistoryWidget
from radar_desktop.gui.inspect_files_tab import InspectFilesWidget
from radar_desktop.gui.job_controller import FAILED_MESSAGE, JobController, JobEnd
from radar_desktop.gui.live_controller import LiveController
from radar_desktop.gui.live_view import LiveViewWidget
from radar_desktop.gui.profile_controller import ProfileController
from radar_desktop.gui.report_dialog import ReportExportDialog
from radar_desktop.gui.review_queue import ReviewQueueWidget
from radar_desktop.gui.session_fields import SessionFieldsWidget
from radar_desktop.history.recording import RecordContext
from radar_desktop.history.writer import HistoryWriter
from radar_desktop.profiles.paths import data_home
from radar_desktop.reports.entries import verdict_of
from radar_desktop.workers.engine_worker import EngineThread, EngineWorker, LoadedProfile

log = logging.getLogger(__name__)
REVIEW_REFRESH_MS = 1000  # the Review tab reads its queue again at most this often while results arrive
REVIEW_TAB = "Review"


class MainWindow(QMainWindow):
    """The tabs (files, live, history, review, drift) around one engine worker on its own thread."""

    sig_task_done = Signal(int)
    """Exit status of a task given on the command line (0 success)."""
    sig_history_error = Signal(str)
    """A message from the history writer's thread (a row or picture that could not be recorded)."""
    sig_history_committed = Signal(object)
    """(outcome, inspection id) pairs the history writer committed (from its thread)."""
    sig_review_stored = Signal(object)
    """ReviewResult: how a decision sent from the Review tab ended (from the writer's thread)."""

    def __init__(self, device_name: str = "auto", profile_name: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle(f"RADAR Desktop {__version__}")
        self.setAcceptDrops(True)
        self.settings = QSettings(str(data_home() / "settings.ini"), QSettings.IniFormat)
        self._review_stale = False  # REVIEW/NOK rows were stored since the Review tab last read its queue
        self._recalibrated = ""  # what the running recalibration did, once the worker has said

        self.collector = collect_on_gui_thread()  # before our threads run Python: none frees a Qt object
        self.history = HistoryWriter(
            RecordContext(origin="files"), on_error=self.sig_history_error.emit,
            on_committed=self.sig_history_committed.emit, on_reviewed=self.sig_review_stored.emit,
        )
        self.worker = EngineWorker(device_name)
        self.engine = EngineThread(self.worker)
        self._build_status_bar()
        self.jobs = JobController(self.worker, self.status_label, self.progress, self.cancel_button, self)
        self.collector.idle = lambda: not self.jobs.busy  # live inspection keeps the window busy too
        self.profiles = ProfileController(self.jobs, self.settings, self.collector, self)
        self._build_widgets()
        self._connect()
        self._restore_settings()
        self.profiles.reload(profile_name)

    # ----- construction
    def _build_status_bar(self) -> None:
        self.status_label = QLabel("Ready")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)

    def _build_widgets(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.open_folder_action = QAction("Open folder…", self)
        self.open_folder_action.setShortcut(QKeySequence.Open)
        self.open_files_action = QAction("Open files…", self)
        self.watch_action = QAction("Watch folder…", self)
        self.watch_action.setToolTip("Inspect new images as they arrive in a folder (each once, when complete); "
                                     "Cancel stops watching")
        self.export_action = QAction("Export report…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setEnabled(False)
        self.session_fields = SessionFieldsWidget(self.settings)
        toolbar.addWidget(QLabel(" Profile "))
        toolbar.addWidget(self.profiles.profile_box)
        toolbar.addAction(self.profiles.new_profile_action)
        toolbar.addAction(self.profiles.profiles_action)
        toolbar.addSeparator()
        toolbar.addWidget(self.profiles.device_label)
        toolbar.addSeparator()
        toolbar.addAction(self.open_folder_action)
        toolbar.addAction(self.open_files_action)
        toolbar.addAction(self.watch_action)
        toolbar.addSeparator()
        toolbar.addAction(self.export_action)
        toolbar.addSeparator()
        toolbar.addWidget(self.session_fields)

        self.files_tab = InspectFilesWidget(self.jobs, self.profiles, self.history, self.session_fields, self.settings)
        self.live_view = LiveViewWidget()
        self.live = LiveController(self.live_view, self.jobs, self.profiles, self.history, self.session_fields,
                                   self.settings, self)
        self.history_view = HistoryWidget(self.history.path, self.session_fields.signer, ReportExportDialog.get_request)
        self.review_queue = ReviewQueueWidget(self.history.submit_review, self.session_fields.operator,
                                              database_path=self.history.path)
        self.review_timer = QTimer(self)  # reads the queue again a while after new REVIEW/NOK rows are stored
        self.review_timer.setSingleShot(True)
        self.review_timer.setInterval(REVIEW_REFRESH_MS)
        self.drift_chart = DriftChartWidget(self.history.path)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.files_tab, "Inspect files")
        self.tabs.addTab(self.live_view, "Live camera")
        self.tabs.addTab(self.history_view, "History")
        self.tabs.addTab(self.review_queue, REVIEW_TAB)
        self.tabs.addTab(self.drift_chart, "Drift")
        self.setCentralWidget(self.tabs)
        self.resize(1280, 800)

    def _connect(self) -> None:
        self.jobs.sig_busy_changed.connect(self._on_jobs_busy_changed)
        self.jobs.sig_ended.connect(self.sig_task_done)
        self.profiles.sig_listed.connect(self.drift_chart.set_profiles)
        self.profiles.sig_unloaded.connect(self._update_actions)
        self.profiles.sig_loaded.connect(self._on_profiles_loaded)
        self.worker.sig_outcome.connect(self.files_tab.add_outcome)
        self.worker.sig_report_written.connect(self.files_tab.report_written)
        self.worker.sig_recalibrated.connect(self._on_worker_recalibrated)
        self.open_folder_action.triggered.connect(self.files_tab.choose_folder)
        self.open_files_action.triggered.connect(self.files_tab.choose_files)
        self.watch_action.triggered.connect(self.files_tab.choose_watch_folder)
        self.export_action.triggered.connect(self.files_tab.choose_report)
        self.live.sig_snapshot_saved.connect(self.files_tab.add_snapshot)
        self.sig_history_error.connect(self._on_history_error)
        self.sig_history_committed.connect(self._on_history_committed)
        self.sig_review_stored.connect(self.review_queue.review_stored)
        self.review_queue.sig_decided.connect(self.files_tab.table.model.set_review)
        self.review_queue.sig_count_changed.connect(self._on_review_count_changed)
        self.review_queue.sig_recalibrate_requested.connect(self._on_review_queue_recalibrate_requested)
        self.review_timer.timeout.connect(self._on_review_timer_timeout)
        self.history_view.sig_message.connect(self.jobs.show_status)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        QShortcut(QKeySequence("N"), self, lambda: self.files_tab.table.step(1))
        QShortcut(QKeySequence("P"), self, lambda: self.files_tab.table.step(-1))

    # ----- state shared by the tabs
    def _update_actions(self) -> None:
        """Opening and watching need a loaded profile and no job running; a report needs results and no job."""
        idle = not self.jobs.busy
        for action in (self.open_folder_action, self.open_files_action, self.watch_action):
            action.setEnabled(idle and self.profiles.profile is not None)
        self.profiles.profile_box.setEnabled(idle)
        self.export_action.setEnabled(idle and self.files_tab.has_results())

    def _on_jobs_busy_changed(self, _busy: bool) -> None:
        self._update_actions()
        self._refresh_review_soon()

    def _on_profiles_loaded(self, profile: LoadedProfile) -> None:
        self._update_actions()
        self.files_tab.show_profile(profile)
        self.live.show_profile(profile)
        self.drift_chart.show_profile(profile.name)
        if not (self.files_tab.start_pending() or self.live.start_pending()):
            self.sig_task_done.emit(0)  # loading the profile was the task

    def open_paths(self, paths: list[Path]) -> None:
        """Scan files and folders (once the profile is loaded), in the Inspect files tab."""
        self.files_tab.open_paths(paths)

    def open_camera(self, source: str, frames: int | None = None) -> None:
        """Show the live tab and inspect ``source`` (device index, video file or URL) once the profile is loaded."""
        self.tabs.setCurrentWidget(self.live_view)
        self.live.open_camera(source, frames)

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.history_view:
            self.history_view.refresh()  # rows recorded since it was last shown
        elif self.tabs.widget(index) is self.drift_chart:
            self.drift_chart.refresh()
        elif self.tabs.widget(index) is self.review_queue:
            self._review_stale = False
            self.review_queue.refresh()

    # ----- review queue
    def _on_history_committed(self, pairs: list) -> None:
        """Rows the history stored: the table learns their ids (so decisions show on them). New REVIEW/NOK
        rows reach the Review tab (and its count) a moment later while it is open or no job runs, else
        when the job ends: the queue is not read during a scan nobody is reviewing."""
        self.files_tab.table.model.set_inspection_ids(pairs)
        if any(verdict_of(o) in ("REVIEW", "NOK") for o, _ in pairs):
            self._review_stale = True
            self._refresh_review_soon()

    def _refresh_review_soon(self) -> None:
        if self._review_stale and not self.review_timer.isActive() and self._review_wanted():
            self.review_timer.start()

    def _review_wanted(self) -> bool:
        return self.tabs.currentWidget() is self.review_queue or not self.jobs.busy

    def _on_review_timer_timeout(self) -> None:
        if self._review_wanted():
            self._review_stale = False
            self.review_queue.refresh()

    def _on_review_count_changed(self, count: int) -> None:
        self.tabs.setTabText(self.tabs.indexOf(self.review_queue), f"{REVIEW_TAB} ({count})" if count else REVIEW_TAB)

    def _on_review_queue_recalibrate_requested(self, profile_name: str, images: tuple) -> None:
        """Have the worker add reviewed-good images to a profile's held-back set and set its thresholds again."""
        if self.profiles.loading or not self.jobs.start(
            "recalibrate", f"Recalibrating {profile_name} with {len(images)} reviewed-good images…",
            lambda worker: worker.recalibrate(profile_name, images), self._recalibration_ended,
        ):
            self.review_queue.status_label.setText("The engine is busy; recalibrate when the current job has ended")

    def _on_worker_recalibrated(self, result) -> None:
        self.review_queue.recalibration_done(result)
        self._recalibrated = result.describe()
        if self.profiles.profile is not None and self.profiles.profile.name == result.profile_name:
            self.profiles.load(result.profile_name)  # its new thresholds apply from the next image

    def _recalibration_ended(self, end: JobEnd) -> str:
        if end is JobEnd.FINISHED:
            return self._recalibrated
        return "Recalibration cancelled; the profile is unchanged" if end is JobEnd.CANCELLED else FAILED_MESSAGE

    def _on_history_error(self, message: str) -> None:
        self.jobs.show_status(f"History: {message}")
        log.warning("history: %s", message)

    # ----- drag and drop
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls() and not self.jobs.busy:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.files_tab.open_paths(paths)

    # ----- persistence and shutdown
    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.files_tab.restore_state()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.settings.setValue("geometry", self.saveGeometry())
        self.files_tab.save_state()
        self.settings.sync()
        self.jobs.stall_monitor.stop()
        self.files_tab.chart_timer.stop()
        self.live.stop()
        self.engine.stop()
        if not self.history.close(timeout=10.0):
            log.error("history: %d inspections could not be recorded", len(self.history.unwritten))
        if not self.history_view.wait_for_export(timeout=30.0):
            log.error("history: an export was still being written when the window closed")
        self.history_view.close_database()
        super().closeEvent(event)


def application() -> QApplication:
    """The QApplication (created once), with pyqtgraph set up for row-major numpy images."""
    import pyqtgraph as pg

    app = QApplication.instance() or QApplication([])
    app.setApplicationName("RADAR Desktop")
    app.setOrganizationName("RADAR")
    app.setWindowIcon(QIcon(str(icon_path())))
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    return app
