"""A profile opened for the scan, report and watch commands, with its history writer."""

from __future__ import annotations

import argparse
from pathlib import Path

from radar_desktop.cli.console import log, progress_bar
from radar_desktop.core.cancel import CancelToken


def open_profile_model(profile_name: str, device_name: str):
    """The named profile and its model on the chosen device."""
    from radar_desktop.engine.device import resolve_device
    from radar_desktop.profiles.store import open_profile

    profile = open_profile(profile_name)
    device = resolve_device(device_name)
    return profile, profile.load_model(device)


class ScanRun:
    """A profile opened for a scan, and the entries the scan has produced so far."""

    def __init__(self, args: argparse.Namespace, origin: str) -> None:
        from radar_desktop.core.records import login_name
        from radar_desktop.engine.device import describe_device
        from radar_desktop.engine.jobs.inspection import Inspector
        from radar_desktop.history.recording import RecordContext
        from radar_desktop.history.writer import HistoryWriter

        self.profile, self.model = open_profile_model(args.profile, args.device)
        self.scorer = args.scorer or self.profile.default_scorer
        self.calibration = self.profile.entry(self.scorer)
        self.outline = self.profile.outline_levels(self.scorer)
        self.device = describe_device(self.model.device)
        self.inspector = Inspector(
            self.model,
            self.profile.load_scorer(self.scorer),
            self.calibration.thresholds,
            plan=self.profile.inspection_plan(self.scorer),
        )
        self.entries: list = []
        context = RecordContext(
            origin=origin,
            profile_name=self.profile.name,
            profile_hash=self.profile.content_hash,
            scorer=self.scorer,
            thresholds=self.calibration.thresholds,
            lot=args.lot,
            operator=args.operator or login_name(),
            mm_per_pixel=self.profile.inspection.get("mm_per_pixel"),
            map_range=self.calibration.map_range,
        )
        self.history = HistoryWriter(context, on_error=log)

    def scan(self, source: Path, on_result, cancel: CancelToken | None = None) -> None:
        """Inspect ``source`` (file or folder); ``on_result(entry, result, load_image)`` sees each inspected image."""
        from radar_desktop.engine.jobs.scan import scan_files
        from radar_desktop.reports.entries import entry_from_outcome
        from radar_desktop.sources.images import list_images, read_image

        paths = list_images(source)
        with progress_bar("scan") as progress:
            for outcome in scan_files(self.inspector, paths, cancel=cancel, progress=progress):
                entry = entry_from_outcome(len(self.entries) + 1, outcome, mm_per_pixel=self.profile.inspection.get("mm_per_pixel"))
                self.entries.append(entry)
                self.history.submit(outcome)
                if outcome.result is not None:
                    path, channels = outcome.path, self.model.config.channels
                    on_result(entry, outcome.result, lambda: read_image(path, channels))

    def close_history(self) -> None:
        """Commit the run's history rows (what could not be is told, and kept under ``unsaved/``)."""
        if not self.history.close(timeout=60.0):
            log(f"history: {len(self.history.unwritten)} of {len(self.entries)} inspections could not be recorded")

    def session(self, operator: str, source: str):
        """What the report says about this run."""
        from radar_desktop.engine.models.spaces import model_record
        from radar_desktop.history.drift import report_drift
        from radar_desktop.profiles.promises import promise_lines
        from radar_desktop.reports.session import SessionInfo

        return SessionInfo(
            operator=operator,
            source=source,
            profile_name=self.profile.name,
            profile_hash=self.profile.content_hash,
            scorer=self.scorer,
            device=self.device,
            thresholds=self.calibration.thresholds,
            model=model_record(self.model),
            inspection=self.profile.inspection,
            selftest=self.profile.selftest,
            drift=report_drift(self.profile.name, self.scorer, path=self.history.path),
            scorer_parts=tuple(self.calibration.parts),
            read_scale=self.calibration.read_scale,
            promise=promise_lines(self.profile, self.scorer),
        )
