"""A first window: which profile and which device are active (the full operator window replaces it)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from radar_desktop import __version__


@dataclass(frozen=True)
class ActiveSetup:
    """What the window reports: the active profile (or why there is none) and the device."""

    profile: str
    device: str
    profiles_known: int
    problems: tuple[str, ...]


def describe_active(profile_name: str | None, device_name: str) -> ActiveSetup:
    """Find the profile to show (the named one, else the first in the store) and resolve the device."""
    from radar_desktop.engine.device import describe_device, resolve_device
    from radar_desktop.profiles.profile import ProfileError
    from radar_desktop.profiles.store import list_profiles, open_profile

    problems = []
    good, broken = list_profiles()
    problems.extend(f"broken profile {b.name}: {b.reason}" for b in broken)
    profile = "none (train one with: radar-desktop train --images DIR --name NAME)"
    if profile_name:
        try:
            profile = open_profile(profile_name).name
        except ProfileError as error:
            problems.append(str(error))
    elif good:
        profile = good[0].name
    try:
        device = describe_device(resolve_device(device_name))
    except ValueError as error:
        problems.append(str(error))
        device = "unavailable"
    return ActiveSetup(profile, device, len(good), tuple(problems))


class StatusWindow(QMainWindow):
    """Shows the active profile and device."""

    def __init__(self, setup: ActiveSetup) -> None:
        super().__init__()
        self.setWindowTitle(f"RADAR Desktop {__version__}")
        self.profile_label = QLabel(f"Active profile: <b>{html.escape(setup.profile)}</b>")
        self.device_label = QLabel(f"Device: <b>{html.escape(setup.device)}</b>")
        count = QLabel(f"Profiles in store: {setup.profiles_known}")
        title = QLabel("<h2>RADAR Desktop</h2>Single-step diffusion anomaly detection")
        hint = QLabel(
            "Folder inspection in this window is coming; meanwhile the command line inspects with the same "
            "engine:<br><tt>radar-desktop scan --profile NAME --input FOLDER --csv results.csv</tt>"
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout()
        layout.addWidget(title)
        for label in (self.profile_label, self.device_label, count, hint):
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
            layout.addWidget(label)
        for problem in setup.problems:
            warning = QLabel(f"⚠ {problem}")
            warning.setTextFormat(Qt.PlainText)
            warning.setWordWrap(True)
            warning.setStyleSheet("color: #b00020;")
            layout.addWidget(warning)
        layout.addStretch(1)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self.resize(520, 220)
