"""The one module that knows where user data lives."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_VARIABLE = "RADAR_DESKTOP_HOME"


def data_home() -> Path:
    """Root of the per-user store; ``RADAR_DESKTOP_HOME`` overrides platformdirs' user data dir."""
    override = os.environ.get(HOME_VARIABLE)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("RADAR Desktop", "RADAR"))


def profiles_dir() -> Path:
    return data_home() / "profiles"


def history_dir() -> Path:
    """Where the inspection-history database and its thumbnails and heatmaps are kept."""
    return data_home() / "history"


def checkpoints_dir() -> Path:
    return data_home() / "checkpoints"
