"""The Inspect files tab: results table, viewer and score charts of a scan, a watched folder or live snapshots,
and the report of those results."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QSplitter, QVBoxLayout, QWidget

from radar_desktop.core.records import ScanOutcome
from radar_desktop.gui.job_controller import FAILED_MESSAGE, JobController, JobEnd, WorkerCall
from radar_desktop.gui.profile_controller import ProfileController
from radar_desktop.gui.report_dialog import ReportExportDialog
from radar_desktop.gui.results_table import ResultsTableWidget
from radar_desktop.gui.score_charts import ScoreChartsWidget
from radar_desktop.gui.session_fields import SessionFieldsWidget
from radar_desktop.gui.viewer import ViewerWidget
from radar_desktop.history.writer import HistoryWriter
from radar_desktop.reports.entries import verdict_counts, verdict_of
from radar_desktop.sources.images import IMAGE_SUFFIXES, ImageReadError, list_images, read_image
from radar_desktop.workers.engine_worker import LoadedProfile, WatchRequest

CHART_REFRESH_MS = 250


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given and the images inside given folders, in order, without repeats."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(list_images(path))
        elif path.suffix.lower() in IMAGE_SUFFIXES or path.is_file():
            found.append(path)
    return list(dict.fromkeys(found))


class InspectFilesWidget(QWidget):
    """Scans files and folders or watches a folder through ``jobs`` with the ``profiles``' active profile;
    every result is shown, charted and recorded in ``history``."""

    def __init__(self, jobs: JobController, profiles: ProfileController, history: HistoryWriter,
                 session_fields: SessionFieldsWidget, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs, self.profiles, self.history = jobs, profiles, history
        self.session_fields, self.settings = session_fields, settings
        self.scan_profile: LoadedProfile | None = None  # the profile the table's results came from
        self.scan_source = ""
        self.scan_origin = "files"  # how the table's results came: a folder, single files (history origin)
        self.pending_scan: list[Path] | None = None
        self._charts_dirty = False
        self._report_saved = ""
        self._build()
        self.chart_timer = QTimer(self)
        self.chart_timer.setInterval(CHART_REFRESH_MS)
        self.chart_timer.timeout.connect(self._on_chart_timer_timeout)
        self.table.sig_row_activated.connect(self.show_row)
        jobs.sig_busy_changed.connect(self._on_jobs_busy_changed)
        profiles.sig_device_moved.connect(self._on_profiles_device_moved)

    def _build(self) -> None:
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.main_split)

    def show_profile(self, profile: LoadedProfile) -> None:
        self.charts.set_thresholds(profile.thresholds)
        self.viewer.set_inspection(profile.inspection.get("mm_per_pixel"), profile.mask)

    def has_results(self) -> bool:
        """Whether there is something to report."""
        return self.scan_profile is not None and bool(self.table.model.outcomes)

    # ----- opening files
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window(), "Open a folder of images",
                                                  self.settings.value("last_folder", ""))
        if folder:
            self.open_paths([Path(folder)])

    def choose_files(self) -> None:
        pattern = "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ")"
        files, _ = QFileDialog.getOpenFileNames(self.window(), "Open images", self.settings.value("last_folder", ""),
                                                pattern)
        if files:
            self.open_paths([Path(f) for f in files])

    def choose_watch_folder(self) -> None:
        start = self.settings.value("watch_folder", "") or self.settings.value("last_folder", "") or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self.window(), "Watch folder", start)
        if folder:
            self.settings.setValue("watch_folder", folder)
            self.start_watch(Path(folder))

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

    def start_pending(self) -> bool:
        """Start the scan asked for while the profile loaded; False if there was none."""
        if self.pending_scan is None:
            return False
        files, self.pending_scan = self.pending_scan, None
        self.start_scan(files)
        return True

    # ----- scanning
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

    def add_outcome(self, outcome: ScanOutcome) -> None:
        """Show and record one result of the running scan or watch."""
        self.history.submit(outcome, self.session_fields.record_context(self.scan_origin, self.scan_profile),
                            key=outcome)
        self.table.model.append(outcome)
        self._charts_dirty = True
        if self.table.model.rowCount() == 1:  # shown after the table has painted the row: two short stalls, not one
            QTimer.singleShot(0, self._select_first_row)

    def add_snapshot(self, outcome: ScanOutcome, profile: LoadedProfile, source: str) -> None:
        """Add a saved live snapshot to the results when they come from the same profile or there are none."""
        table = self.table.model
        if table.outcomes and self.scan_profile is not None and self.scan_profile.content_hash != profile.content_hash:
            self.jobs.show_status(f"Snapshot saved to {outcome.path} (the table holds results of another profile)")
            return
        self.scan_profile = profile
        table.mm_per_pixel = profile.inspection.get("mm_per_pixel")
        self.scan_source = self.scan_source or f"live: {source}"
        table.append(outcome)
        self._charts_dirty = True
        self._on_chart_timer_timeout()
        self.jobs.show_status(f"Snapshot saved to {outcome.path} and added to the results ({len(table.outcomes)})")

    def _select_first_row(self) -> None:
        if self.table.model.rowCount() and not self.table.view.currentIndex().isValid():
            self.table.select_row(0)

    def _on_chart_timer_timeout(self) -> None:
        if self._charts_dirty:
            self._charts_dirty = False
            self.charts.set_scores([o.result.score for o in self.table.model.outcomes if o.result is not None])

    def _on_jobs_busy_changed(self, busy: bool) -> None:
        if not busy:  # any job: a live session's snapshots are charted too
            self.chart_timer.stop()
            self._on_chart_timer_timeout()
            self.charts.fit()

    def _on_profiles_device_moved(self, moved: LoadedProfile) -> None:
        if self.scan_profile is not None and self.scan_profile.content_hash == moved.content_hash:
            self.scan_profile = moved  # the report says where the work was finished

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

    def choose_report(self) -> None:
        """Ask where and how to write a report of the table's results, then write it."""
        folder = Path(self.settings.value("report_folder", "") or Path.home())
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        request = ReportExportDialog.get_request(self.make_report, self.session_fields.signer(),
                                                 folder / f"report-{stamp}.pdf", self.window())
        if request is None:
            return
        self.session_fields.set_operator(request.report.session.operator)
        self.settings.setValue("report_folder", str(request.files.pdf.parent))
        self.export_report(request)

    def export_report(self, request) -> None:
        """Write a report of the table's results on the engine thread."""
        from radar_desktop.reports.export import figures_from_outcomes

        profile = self.scan_profile
        outcomes = dict(enumerate(self.table.model.outcomes, start=1))
        figures = figures_from_outcomes(outcomes, profile.map_range, profile.outline, profile.model["channels"])
        self.jobs.start("report", f"Writing {request.files.pdf.name}…",
                        lambda worker: worker.export_report(request, figures), self._report_ended)

    def report_written(self, files, pages: int) -> None:
        """The worker wrote ``files`` (ReportFiles), a PDF of ``pages`` pages."""
        csv = f" and {files.csv.name}" if files.csv else ""
        self._report_saved = f"Report saved: {files.pdf} ({pages} pages){csv}"

    def _report_ended(self, end: JobEnd) -> str:
        if end is JobEnd.FINISHED:
            return self._report_saved
        return "Report cancelled; nothing was written" if end is JobEnd.CANCELLED else FAILED_MESSAGE

    # ----- settings
    def restore_state(self) -> None:
        for key, split in (("main_split", self.main_split), ("right_split", self.right_split)):
            value = self.settings.value(key)
            if value is not None:
                split.restoreState(value)

    def save_state(self) -> None:
        self.settings.setValue("main_split", self.main_split.saveState())
        self.settings.setValue("right_split", self.right_split.saveState())
