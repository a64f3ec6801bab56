"""Where the files that ship with the app live: the demo profile (``models/``) and ``resources/``."""

from __future__ import annotations

import sys
from pathlib import Path

DEMO_PROFILE = "Demo lattice"


def bundle_root() -> Path:
    """The folder holding ``models/`` and ``resources/``: the frozen bundle's data folder, else the source tree."""
    frozen = getattr(sys, "_MEIPASS", None)  # set by the PyInstaller bootloader
    return Path(frozen) if frozen else Path(__file__).resolve().parents[2]


def demo_profile_folder() -> Path:
    return bundle_root() / "models" / DEMO_PROFILE


def samples_folder() -> Path:
    return bundle_root() / "resources" / "samples"


def icon_path() -> Path:
    return bundle_root() / "resources" / "icon.svg"
