"""Live inspection for the Live camera tab: the source opened, the live job run until Stop, the region of
interest kept per profile, snapshots saved."""

from __future__ import annotations

import json
from datetime import datetime

from PySide6.QtCore import QObject, QSettings, Signal

from radar_desktop.engine.jobs.live import LiveResult, LiveSession, Roi
from radar_desktop.gui.job_controller import JobController, JobEnd
from radar_desktop.gui.live_view import LiveViewWidget
from radar_desktop.gui.profile_controller import ProfileController
from radar_desktop.gui.session_fields import SessionFieldsWidget
from radar_desktop.history.writer import HistoryWriter
from radar_desktop.profiles.paths import data_home
from radar_desktop.sources.frames import CameraSettings, SourceError, open_source
from radar_desktop.workers.engine_worker import LoadedProfile


class LiveController(QObject):
    """Starts and stops the :class:`LiveViewWidget`'s session on the engine worker."""

    sig_snapshot_saved = Signal(object, object, str)
    """ScanOutcome of a saved snapshot, the LoadedProfile that inspected it and the live source's text."""

    def __init__(self, view: LiveViewWidget, jobs: JobController, profiles: ProfileController, history: HistoryWriter,
                 session_fields: SessionFieldsWidget, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view, self.jobs, self.profiles, self.history = view, jobs, profiles, history
        self.session_fields, self.settings = session_fields, settings
        self.session: LiveSession | None = None
        self.max_frames: int | None = None  # stop after this many frames (command line)
        self.pending: str | None = None  # source to start once the profile is loaded
        view.sig_start_requested.connect(self.start)
        view.sig_stop_requested.connect(self.stop)
        view.sig_snapshot.connect(self.keep_snapshot)

    def open_camera(self, source: str, frames: int | None = None) -> None:
        """Inspect ``source`` (device index, video file or URL), ``frames`` of them, once the profile is loaded."""
        self.max_frames = frames
        self.view.source_box.setEditText(source)
        if self.profiles.profile is None:
            self.pending = source
        else:
            self.start(source, CameraSettings())

    def show_profile(self, profile: LoadedProfile) -> None:
        self.view.set_profile(profile.thresholds, profile.map_range, profile.outline)
        self.view.viewer.set_inspection(profile.inspection.get("mm_per_pixel"), profile.mask)
        self.view.set_roi(self._stored_roi(profile.name))

    def start_pending(self) -> bool:
        """Start the source asked for while the profile loaded; False if there was none."""
        if self.pending is None:
            return False
        source, self.pending = self.pending, None
        self.start(source, CameraSettings())
        return True

    def start(self, spec: str, settings: CameraSettings) -> None:
        if self.jobs.busy or self.profiles.profile is None:
            self.jobs.show_status("Wait for the profile to load and the current job to end before going live")
            return
        try:
            source = open_source(spec or "0", settings)
        except SourceError as error:
            self.jobs.refuse(str(error))
            return
        session = self.session = LiveSession(source, max_frames=self.max_frames)
        session.start()
        self.view.attach(session)
        self.jobs.start("live", f"Live: {source.description}", lambda worker: worker.live(session), self._ended,
                        stops_on_cancel=True, own_controls=True)

    def stop(self) -> None:
        if self.session is not None:
            self.jobs.cancel("Stopping live inspection…")
            self.session.stop()

    def _ended(self, _end: JobEnd) -> str:
        session, self.session = self.session, None
        session.stop()
        self.view.detach()
        profile = self.profiles.profile
        if profile is not None and (roi := self.view.roi()) is not None:
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

    def keep_snapshot(self, live: LiveResult) -> None:
        """Save a live frame and its heatmap and record it; :attr:`sig_snapshot_saved` offers it to the results."""
        from radar_desktop.reports.snapshots import save_snapshot

        profile = self.profiles.profile
        folder = data_home() / "snapshots" / datetime.now().strftime("%Y-%m-%d")
        try:
            outcome = save_snapshot(live, folder, profile.map_range)
        except OSError as error:
            self.jobs.show_error(f"The snapshot could not be saved in {folder}: {error}")
            return
        self.history.submit(outcome, self.session_fields.record_context("snapshot", profile), key=outcome)
        self.sig_snapshot_saved.emit(outcome, profile, self.view.source_box.currentText())
