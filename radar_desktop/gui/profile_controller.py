"""The active profile: the toolbar's profile box and device label, loading on the engine worker, and the
ways to make a new profile or manage the store."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from radar_desktop.core.quantities import score_text
from radar_desktop.gui.gc_on_gui_thread import GuiThreadCollector
from radar_desktop.gui.job_controller import JobController
from radar_desktop.profiles.profile import ProfileError
from radar_desktop.profiles.store import list_profiles
from radar_desktop.workers.engine_worker import LoadedProfile


class ProfileController(QObject):
    """Which profile the window inspects with: ``profile`` once loaded, None while one loads or none is usable."""

    sig_listed = Signal(list)
    """The usable Profiles in the store, after each reload."""
    sig_unloaded = Signal()
    """No profile is active: one is loading, or the store holds none that is usable."""
    sig_loaded = Signal(object)
    """LoadedProfile now active."""
    sig_device_moved = Signal(object)
    """LoadedProfile now active, its device changed after running out of memory."""

    def __init__(self, jobs: JobController, settings: QSettings, collector: GuiThreadCollector,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.jobs, self.settings, self.collector = jobs, settings, collector
        self.profile: LoadedProfile | None = None
        self.loading = False
        self.engine_device = ""  # where the loaded model runs now
        self.profile_box = QComboBox()
        self.profile_box.setMinimumWidth(200)
        self.device_label = QLabel("Device: –")
        self.new_profile_action = QAction("New profile…", self)
        self.new_profile_action.setToolTip("Make a profile for a new product from images of good parts")
        self.profiles_action = QAction("Profiles…", self)
        self.profiles_action.setToolTip("Duplicate, rename, delete, export and import profiles")
        self.profile_box.activated.connect(self._on_profile_box_activated)
        self.new_profile_action.triggered.connect(self._on_new_profile_action_triggered)
        self.profiles_action.triggered.connect(self._on_profiles_action_triggered)
        jobs.worker.sig_profile_loaded.connect(self._on_worker_profile_loaded)
        jobs.worker.sig_device.connect(self._on_worker_device)

    def reload(self, select: str | None = None) -> None:
        """Fill the profile box (broken profiles are listed, greyed, with the reason) and load one."""
        good, broken = list_profiles()
        self.sig_listed.emit(good)
        self.profile_box.clear()
        for profile in good:
            self.profile_box.addItem(profile.name)
        for item in broken:
            self.profile_box.addItem(f"{item.name} (broken)")
            entry = self.profile_box.model().item(self.profile_box.count() - 1)
            entry.setEnabled(False)
            entry.setToolTip(item.reason)
        names = [p.name for p in good]
        wanted = select or self.settings.value("profile", "")
        if select and select not in names:
            self.jobs.show_error(f"No usable profile named {select!r}.")
        if not names:
            self.profile = None
            self.jobs.show_status("No profile yet: train one with  radar-desktop train --images DIR --name NAME")
            self.sig_unloaded.emit()
            return
        name = wanted if wanted in names else names[0]
        self.profile_box.setCurrentIndex(names.index(name))
        self.load(name)

    def load(self, name: str) -> None:
        """Load a profile on the engine worker; :attr:`sig_loaded` says when it is active."""
        self.profile = None
        self.loading = True
        self.sig_unloaded.emit()
        self.jobs.show_status(f"Loading profile {name}…")
        self.jobs.request(lambda worker: worker.load_profile(name))

    def save_new_profile(self, prepared) -> None:
        """Put a profile made by the wizard into the store and make it the active one."""
        from radar_desktop.profiles.builder import save_prepared

        try:
            saved = save_prepared(prepared)
        except (ProfileError, OSError) as error:
            self.jobs.show_error(f"The profile could not be saved: {error}")
            return
        self.reload(saved.name)
        self.jobs.show_status(f"Profile {saved.name} saved (hash {saved.content_hash[:12]})")

    def _on_new_profile_action_triggered(self) -> None:
        from radar_desktop.gui.calibration_wizard import CalibrationWizard

        if self.jobs.busy:
            self.jobs.show_status("Wait for the current job to end before making a profile")
            return
        with self.jobs.lent_out():
            prepared = CalibrationWizard.get_profile(self.jobs.worker, self.parent())
        if prepared is not None:
            self.save_new_profile(prepared)

    def _on_profiles_action_triggered(self) -> None:
        from radar_desktop.gui.profile_manager import ProfileManagerDialog

        dialog = ProfileManagerDialog(self.parent(), select=self.profile.name if self.profile else None)
        dialog.exec()
        if dialog.changed and not self.jobs.busy:
            current = self.profile.name if self.profile else None
            self.reload(current if current in dialog.profiles else None)

    def _on_profile_box_activated(self, index: int) -> None:
        name = self.profile_box.itemText(index)
        if not self.jobs.busy and (self.profile is None or name != self.profile.name):
            self.load(name)

    def _on_worker_profile_loaded(self, profile: LoadedProfile) -> None:
        self.collector.collect_all()  # what loading the model made leaves the young generations now, not mid-scan
        self.profile = profile
        self.loading = False
        self.settings.setValue("profile", profile.name)
        self.device_label.setText(f"Device: {profile.device}")
        self.engine_device = profile.device
        self.jobs.show_status(
            f"Profile {profile.name} ({profile.scorer}), REVIEW > {score_text(profile.thresholds.review)}, "
            f"NOK > {score_text(profile.thresholds.nok)}"
        )
        self.sig_loaded.emit(profile)

    def _on_worker_device(self, name: str) -> None:
        if self.profile is None or name == self.engine_device:
            return
        self.profile = replace(self.profile, device=f"{name} (moved from {self.engine_device}: out of memory)")
        self.engine_device = name
        self.device_label.setText(f"Device: {name}")
        self.sig_device_moved.emit(self.profile)
