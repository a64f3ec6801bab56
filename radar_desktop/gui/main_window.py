"""The operator's main window: pick a profile, open images, read verdicts, heatmaps and charts."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
)

from radar_desktop import __version__
from radar_desktop.core.records import ScanOutcome, login_name
from radar_desktop.engine.jobs.live import LiveSession, Roi
from radar_desktop.core.resources import icon_path
from radar_desktop.gui.drift_chart import DriftChartWidget
from radar_desktop.gui.gc_on_gui_thread import collect_on_gui_thread
from radar_desktop.gui.history_view import HistoryWidget
from radar_desktop.gui.job_controller import FAILED_MESSAGE, JobController, JobEnd, WorkerCall
from radar_desktop.gui.review_queue import ReviewQueueWidget
from radar_desktop.gui.live_view import LiveViewWidget
from radar_desktop.gui.profile_controller import ProfileController
from radar_desktop.gui.report_dialog import ReportExportDialog
from radar_desktop.gui.results_table import ResultsTableWidget
from radar_desktop.gui.score_charts import ScoreChartsWidget
from radar_desktop.gui.session_fields import SessionFieldsWidget
from radar_desktop.gui.viewer import ViewerWidget
from radar_desktop.history.recording import RecordContext
from radar_desktop.history.writer import HistoryWriter
from radar_desktop.profiles.paths import data_home
from radar_desktop.reports.entries import verdict_counts, verdict_of
from radar_desktop.sources.frames import CameraSettings, SourceError, open_source
from radar_desktop.sources.images import IMAGE_SUFFIXES, ImageReadError, list_images, read_image
from radar_desktop.workers.engine_worker import EngineThread, EngineWorker, LoadedProfile, WatchRequest

log = logging.getLogger(__name__)
CHART_REFRESH_MS = 250
REVIEW_REFRESH_MS = 1000  # the Review tab reads its queue again at most this often while results arrive
REVIEW_TAB = "Review"


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given and the images inside given folders, in order, without repeats."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(list_images(path))
        elif path.suffix.lower() in IMAGE_SUFFIXES or path.is_file():
            found.append(path)
    return list(dict.fromkeys(found))


class MainWindow(QMainWindow):
    """Folder inspection with the engine on its own thread."""

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
        self.scan_profile: LoadedProfile | None = None  # the profile the table's results came from
        self.scan_source = ""
        self.pending_scan: list[Path] | None = None
        self.pending_live: str | None = None  # camera to start once the profile is loaded
        self.live_session: LiveSession | None = None
        self.live_frames: int | None = None  # stop live inspection after this many frames (command line)
        self._charts_dirty = False
        self._review_stale = False  # REVIEW/NOK rows were stored since the Review tab last read its queue
        self._recalibrated = ""  # what the running recalibration did, once the worker has said
        self._report_saved = ""  # what the running report export wrote, once the worker has said

        self.collector = collect_on_gui_thread()  # before our threads run Python: none frees a Qt object
        self.scan_origin = "files"  # how the table's results came: a folder, single files (history origin)
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
        self.session_fields = SessionFieldsWidget(self.settings)
        toolbar.addWidget(self.session_fields)

        self.table = ResultsTableWidget()
        self.viewer = ViewerWidget()
        self.charts = ScoreChartsWidget()
        self.right_split = QSplitter(Qt.Vertical)
        self.right_split.addWidget(self.viewer)
        self.right_split.addWidget(self.charts)
        self.right_split.setStretchFactor(0, 3)
        self.right_split.setStretchFactor(1, 1)
        self.main_split = QSplitter(Qt.Horizontal)
        self.main_split.addWidget(self.table)
        self.main_split.addWidget(self.right_split)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([440, 840])
        self.right_split.setSizes([560, 200])
        self.live_view = LiveViewWidget()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.main_split, "Inspect files")
        self.tabs.addTab(self.live_view, "Live camera")
        self.history_view = HistoryWidget(self.history.path, self._operator, ReportExportDialog.get_request)
        self.tabs.addTab(self.history_view, "History")
        self.review_queue = ReviewQueueWidget(self.history.submit_review, self.session_fields.operator,
                                              database_path=self.history.path)
        self.tabs.addTab(self.review_queue, REVIEW_TAB)
        self.review_timer = QTimer(self)  # reads the queue again a while after new REVIEW/NOK rows are stored
        self.review_timer.setSingleShot(True)
        self.review_timer.setInterval(REVIEW_REFRESH_MS)
        self.drift_chart = DriftChartWidget(self.history.path)
        self.tabs.addTab(self.drift_chart, "Drift")
        self.setCentralWidget(self.tabs)
        self.chart_timer = QTimer(self)
        self.chart_timer.setInterval(CHART_REFRESH_MS)
        self.resize(1280, 800)

    def _connect(self) -> None:
        self.jobs.sig_busy_changed.connect(self._on_jobs_busy_changed)
        self.jobs.sig_ended.connect(self.sig_task_done)
        self.profiles.sig_listed.connect(self.drift_chart.set_profiles)
        self.profiles.sig_unloaded.connect(self._update_actions)
        self.profiles.sig_loaded.connect(self._on_profiles_loaded)
        self.profiles.sig_device_moved.connect(self._on_profiles_device_moved)
        self.watch_action.triggered.connect(self._on_watch_action_triggered)
        self.live_view.sig_start_requested.connect(self.start_live)
        self.live_view.sig_stop_requested.connect(self.stop_live)
        self.live_view.sig_snapshot.connect(self.keep_snapshot)
        self.sig_history_error.connect(self._on_history_error)
        self.sig_history_committed.connect(self._on_history_committed)
        self.sig_review_stored.connect(self.review_queue.review_stored)
        self.review_queue.sig_decided.connect(self.table.model.set_review)
        self.review_queue.sig_count_changed.connect(self._on_review_count_changed)
        self.review_queue.sig_recalibrate_requested.connect(self.recalibrate)
        self.review_timer.timeout.connect(self._on_review_timer_timeout)
        self.worker.sig_recalibrated.connect(self._on_worker_recalibrated)
        self.history_view.sig_message.connect(self.status_label.setText)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.worker.sig_report_written.connect(self._on_worker_report_written)
        self.worker.sig_outcome.connect(self._on_worker_outcome)
        self.open_folder_action.triggered.connect(self._on_open_folder_triggered)
        self.open_files_action.triggered.connect(self._on_open_files_triggered)
        self.export_action.triggered.connect(self._on_export_action_triggered)
        self.table.sig_row_activated.connect(self.show_row)
        self.chart_timer.timeout.connect(self._on_chart_timer_timeout)
        QShortcut(QKeySequence("N"), self, lambda: self.table.step(1))
        QShortcut(QKeySequence("P"), self, lambda: self.table.step(-1))

    # ----- profiles
    def _on_profiles_loaded(self, profile: LoadedProfile) -> None:
        self._update_actions()
        self.charts.set_thresholds(profile.thresholds)
        self.live_view.set_profile(profile.thresholds, profile.map_range, profile.outline)
        for viewer in (self.viewer, self.live_view.viewer):
            viewer.set_inspection(profile.inspection.get("mm_per_pixel"), profile.mask)
        self.live_view.set_roi(self._stored_roi(profile.name))
        self.drift_chart.show_profile(profile.name)
        if self.pending_scan is not None:
            paths, self.pending_scan = self.pending_scan, None
            self.start_scan(paths)
        elif self.pending_live is not None:
            source, self.pending_live = self.pending_live, None
            self.start_live(source, CameraSettings())
        else:
            self.sig_task_done.emit(0)  # loading the profile was the task

    # ----- scanning
    def open_paths(self, paths: list[Path]) -> None:
        """Scan files and folders (once the profile is loaded)."""
        try:
            files = expand_paths(paths)
        except ImageReadError as error:
            self.jobs.refuse(str(error))
            return
        if not files:
            self.jobs.refuse("Nothing to inspect: no image files were given.")
            return
        folder = paths[0] if paths[0].is_dir() else paths[0].parent
        self.settings.setValue("last_folder", str(folder))
        self.scan_source = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files and folders, first {paths[0]}"
        self.scan_origin = "folder" if any(p.is_dir() for p in paths) else "files"
        if self.profiles.profile is None:
            self.pending_scan = files
            return
        self.start_scan(files)

    def start_scan(self, files: list[Path]) -> None:
        """Clear the table and inspect ``files``."""
        self._start("scan", f"Inspecting {len(files)} images…", lambda worker: worker.scan(files))

    def start_watch(self, folder: Path) -> None:
        """Inspect images as they arrive in ``folder`` until Cancel; each result goes to the table and the history."""
        profile = self.profiles.profile
        if self.jobs.busy or profile is None:
            return
        request = WatchRequest(folder, profile.content_hash, profile.model["channels"], self.history.path)
        self.scan_source, self.scan_origin = f"watch folder {folder}", "watch"
        self._start("watch", f"Watching {folder}…", lambda worker: worker.watch(request), stops_on_cancel=True)

    def _start(self, job: str, message: str, call: WorkerCall, *, stops_on_cancel: bool = False) -> None:
        if self.jobs.busy:
            return
        self.table.model.clear()
        self.viewer.clear()
        self.charts.set_scores([])
        self.scan_profile = self.profiles.profile
        self.table.model.mm_per_pixel = self.scan_profile.inspection.get("mm_per_pixel")
        self.jobs.start(job, message, call, self._scan_ended, stops_on_cancel=stops_on_cancel)
        self.chart_timer.start()

    def _scan_ended(self, end: JobEnd) -> str:
        outcomes = self.table.model.outcomes
        if end is JobEnd.FINISHED:
            counts = verdict_counts(verdict_of(o) for o in outcomes)
            return (f"{len(outcomes)} images: {counts['OK']} OK, {counts['REVIEW']} REVIEW, "
                    f"{counts['NOK']} NOK, {counts['ERROR']} unreadable")
        if end is JobEnd.CANCELLED:
            if self.scan_origin == "watch":
                return f"Stopped watching; {len(outcomes)} images inspected"
            return f"Scan cancelled after {len(outcomes)} images"
        return FAILED_MESSAGE

    def _on_watch_action_triggered(self) -> None:
        start = self.settings.value("watch_folder", "") or self.settings.value("last_folder", "") or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Watch folder", start)
        if folder:
            self.settings.setValue("watch_folder", folder)
            self.start_watch(Path(folder))

    def _on_worker_outcome(self, outcome: ScanOutcome) -> None:
        self.history.submit(outcome, self._history_context(self.scan_origin), key=outcome)
        self.table.model.append(outcome)
        self._charts_dirty = True
        if self.table.model.rowCount() == 1:  # shown after the table has painted the row: two short stalls, not one
            QTimer.singleShot(0, self._select_first_row)

    def _select_first_row(self) -> None:
        if self.table.model.rowCount() and not self.table.view.currentIndex().isValid():
            self.table.select_row(0)

    def _on_chart_timer_timeout(self) -> None:
        if self._charts_dirty:
            self._charts_dirty = False
            self.charts.set_scores([o.result.score for o in self.table.model.outcomes if o.result is not None])

    def _on_profiles_device_moved(self, moved: LoadedProfile) -> None:
        if self.scan_profile is not None and self.scan_profile.content_hash == moved.content_hash:
            self.scan_profile = moved  # the report says where the work was finished

    def _update_actions(self) -> None:
        """Opening and watching need a loaded profile and no job running; a report needs results and no job."""
        idle = not self.jobs.busy
        for action in (self.open_folder_action, self.open_files_action, self.watch_action):
            action.setEnabled(idle and self.profiles.profile is not None)
        self.profiles.profile_box.setEnabled(idle)
        self.export_action.setEnabled(idle and self.scan_profile is not None and bool(self.table.model.outcomes))

    def _on_jobs_busy_changed(self, busy: bool) -> None:
        if not busy:  # any job: a live session's snapshots are charted too
            self.chart_timer.stop()
            self._on_chart_timer_timeout()
            self.charts.fit()
        self._update_actions()
        self._refresh_review_soon()

    # ----- live camera
    def open_camera(self, source: str, frames: int | None = None) -> None:
        """Show the live tab and inspect ``source`` (device index, video file or URL) once the profile is loaded."""
        self.live_frames = frames
        self.live_view.source_box.setEditText(source)
        self.tabs.setCurrentWidget(self.live_view)
        if self.profiles.profile is None:
            self.pending_live = source
        else:
            self.start_live(source, CameraSettings())

    def start_live(self, spec: str, settings: CameraSettings) -> None:
        if self.jobs.busy or self.profiles.profile is None:
            self.status_label.setText("Wait for the profile to load and the current job to end before going live")
            return
        try:
            source = open_source(spec or "0", settings)
        except SourceError as error:
            self.jobs.refuse(str(error))
            return
        session = self.live_session = LiveSession(source, max_frames=self.live_frames)
        session.start()
        self.live_view.attach(session)
        self.jobs.start("live", f"Live: {source.description}", lambda worker: worker.live(session), self._end_live,
                        stops_on_cancel=True, own_controls=True)

    def stop_live(self) -> None:
        if self.live_session is not None:
            self.jobs.cancel("Stopping live inspection…")
            self.live_session.stop()

    def _end_live(self, _end: JobEnd) -> str:
        session, self.live_session = self.live_session, None
        session.stop()
        self.live_view.detach()
        profile = self.profiles.profile
        if profile is not None and (roi := self.live_view.roi()) is not None:
            self.settings.setValue(f"live_roi/{profile.name}", json.dumps(roi.to_dict()))
        elif profile is not None:
            self.settings.remove(f"live_roi/{profile.name}")
        return f"Live inspection stopped: {session.inspected} frames inspected, {session.frames.dropped} dropped"

    def _stored_roi(self, profile_name: str) -> Roi | None:
        stored = self.settings.value(f"live_roi/{profile_name}")
        try:
            return Roi(**json.loads(stored)) if stored else None
        except (TypeError, ValueError):
            return None

    def keep_snapshot(self, live) -> None:
        """Save a live frame and its heatmap; it joins the results table (and so reports) when the table's
        results come from the same profile or the table is empty."""
        from radar_desktop.reports.snapshots import save_snapshot

        profile = self.profiles.profile
        folder = data_home() / "snapshots" / datetime.now().strftime("%Y-%m-%d")
        try:
            outcome = save_snapshot(live, folder, profile.map_range)
        except OSError as error:
            self.jobs.show_error(f"The snapshot could not be saved in {folder}: {error}")
            return
        self.history.submit(outcome, self._history_context("snapshot", profile), key=outcome)
        table = self.table.model
        if table.outcomes and self.scan_profile is not None and self.scan_profile.content_hash != profile.content_hash:
            self.status_label.setText(f"Snapshot saved to {outcome.path} (the table holds results of another profile)")
            return
        self.scan_profile = profile
        table.mm_per_pixel = profile.inspection.get("mm_per_pixel")
        self.scan_source = self.scan_source or f"live: {self.live_view.source_box.currentText()}"
        table.append(outcome)
        self._charts_dirty = True
        self._on_chart_timer_timeout()
        self.status_label.setText(f"Snapshot saved to {outcome.path} and added to the results ({len(table.outcomes)})")

    def _history_context(self, origin: str, profile: LoadedProfile | None = None) -> RecordContext:
        """What the history records with each result: the profile it came from, operator and lot."""
        profile = profile or self.scan_profile
        return RecordContext(
            origin=origin,
            profile_name=profile.name,
            profile_hash=profile.content_hash,
            scorer=profile.scorer,
            thresholds=profile.thresholds,
            lot=self.session_fields.lot(),
            operator=self._operator(),
            mm_per_pixel=profile.inspection.get("mm_per_pixel"),
            map_range=profile.map_range,
        )

    def _operator(self) -> str:
        return self.session_fields.operator() or login_name()

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
        self.table.model.set_inspection_ids(pairs)
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

    def recalibrate(self, profile_name: str, images: tuple) -> None:
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
        self.status_label.setText(f"History: {message}")
        log.warning("history: %s", message)

    # ----- reports
    def make_report(self, operator: str):
        """A report of the table's results (with the operator's comments) under ``operator``'s name."""
        from radar_desktop.reports.entries import entry_from_outcome
        from radar_desktop.reports.session import SessionInfo, build_report

        profile = self.scan_profile
        model = self.table.model
        scale = profile.inspection.get("mm_per_pixel")
        entries = [entry_from_outcome(i + 1, o, c, scale, review=model.review_text(i))
                   for i, (o, c) in enumerate(zip(model.outcomes, model.comments))]
        session = SessionInfo(
            operator=operator,
            source=self.scan_source,
            profile_name=profile.name,
            profile_hash=profile.content_hash,
            scorer=profile.scorer,
            device=profile.device,
            thresholds=profile.thresholds,
            model=profile.model,
            inspection=profile.inspection,
            selftest=profile.selftest,
            drift=self._report_drift(profile),
            scorer_parts=profile.scorer_parts,
            read_scale=profile.read_scale,
            promise=profile.promise,
        )
        return build_report(session, entries)

    def _report_drift(self, profile: LoadedProfile) -> dict:
        """The drift page's record, once the writer has committed this session's rows (it commits within 0.2 s)."""
        from radar_desktop.history.drift import report_drift

        self.history.flush(timeout=2.0)
        return report_drift(profile.name, profile.scorer, path=self.history.path)

    def export_report(self, request) -> None:
        """Write a report of the table's results on the engine thread."""
        from radar_desktop.reports.export import figures_from_outcomes

        profile = self.scan_profile
        outcomes = dict(enumerate(self.table.model.outcomes, start=1))
        figures = figures_from_outcomes(outcomes, profile.map_range, profile.outline, profile.model["channels"])
        self.jobs.start("report", f"Writing {request.files.pdf.name}…",
                        lambda worker: worker.export_report(request, figures), self._report_ended)

    def _on_export_action_triggered(self) -> None:
        operator = self._operator()
        folder = Path(self.settings.value("report_folder", "") or Path.home())
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        request = ReportExportDialog.get_request(self.make_report, operator, folder / f"report-{stamp}.pdf", self)
        if request is None:
            return
        self.session_fields.set_operator(request.report.session.operator)
        self.settings.setValue("report_folder", str(request.files.pdf.parent))
        self.export_report(request)

    def _on_worker_report_written(self, files, pages: int) -> None:
        csv = f" and {files.csv.name}" if files.csv else ""
        self._report_saved = f"Report saved: {files.pdf} ({pages} pages){csv}"

    def _report_ended(self, end: JobEnd) -> str:
        if end is JobEnd.FINISHED:
            return self._report_saved
        return "Report cancelled; nothing was written" if end is JobEnd.CANCELLED else FAILED_MESSAGE

    # ----- viewing
    def show_row(self, row: int) -> None:
        outcome = self.table.model.outcomes[row]
        profile = self.profiles.profile
        if outcome.result is None or profile is None:
            self.viewer.clear()
            self.viewer.header.setText(f"{Path(outcome.path).name}: {outcome.error}")
            return
        try:
            image = read_image(outcome.path, 3 if outcome.thumbnail.shape[2] == 3 else 1)
        except ImageReadError as error:
            self.viewer.clear()
            self.viewer.header.setText(f"{Path(outcome.path).name}: {error}")
            return
        self.viewer.show_result(image, outcome.result, profile.map_range, profile.outline, profile.thresholds.nok)

    # ----- opening files
    def _on_open_folder_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of images", self.settings.value("last_folder", ""))
        if folder:
            self.open_paths([Path(folder)])

    def _on_open_files_triggered(self) -> None:
        pattern = "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ")"
        files, _ = QFileDialog.getOpenFileNames(self, "Open images", self.settings.value("last_folder", ""), pattern)
        if files:
            self.open_paths([Path(f) for f in files])

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls() and not self.jobs.busy:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.open_paths(paths)

    # ----- persistence and shutdown
    def _restore_settings(self) -> None:
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("main_split", self.main_split.restoreState),
            ("right_split", self.right_split.restoreState),
        ):
            value = self.settings.value(key)
            if value is not None:
                restore(value)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("main_split", self.main_split.saveState())
        self.settings.setValue("right_split", self.right_split.saveState())
        self.settings.sync()
        self.jobs.stall_monitor.stop()
        self.chart_timer.stop()
        if self.live_session is not None:
            self.live_session.stop()
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
