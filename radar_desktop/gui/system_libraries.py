"""Before the window opens on Linux/X11: are the system libraries Qt's xcb platform plugin needs there?

Without them Qt aborts with its generic "could not load the Qt platform plugin" message. Here the
plugin's unresolved libraries are listed with ``ldd`` (plus ``libxcb-cursor``, which Qt loads at run
time) and named with the Debian/Ubuntu packages that provide them, so the user gets the exact command.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

#: The libraries Qt's xcb plugin links or loads, and the Debian/Ubuntu package of each.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
RUNTIME_LOADED = ("libxcb-cursor.so.0",)  # dlopen()ed by Qt 6.5+, so ldd does not list it
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def uses_xcb(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt will open the window through X11 (xcb): Linux, and no other platform chosen."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":")[0].split(";")[0] == "xcb"
    return not (environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland")


def unresolved(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` reported as not found, each once, in order."""
    return list(dict.fromkeys(NOT_FOUND.findall(ldd_output)))


def missing_libraries(plugin: Path) -> list[str]:
    """Libraries the xcb plugin at ``plugin`` cannot load on this machine ([] when ldd is unavailable
    and every run-time library loads)."""
    missing = []
    ldd = shutil.which("ldd")
    if ldd and plugin.exists():
        done = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20)
        missing = unresolved(done.stdout)
    for name in RUNTIME_LOADED:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return list(dict.fromkeys(missing))


def install_message(missing: list[str]) -> str:
    """What to tell the user: which libraries are missing and the one command that installs them."""
    packages = sorted({PACKAGES.get(name, "") for name in missing} - {""})
    unknown = [name for name in missing if name not in PACKAGES]
    lines = [
        "RADAR Desktop cannot open its window: the system libraries Qt needs to draw it on X11 are missing "
        f"({', '.join(missing)}).",
    ]
    if packages:
        lines.append(f"Install them (Debian/Ubuntu) with:\n    sudo apt-get install {' '.join(packages)}")
    if unknown:
        lines.append(f"Also install the packages that provide: {', '.join(unknown)}.")
    lines.append("The command line (radar-desktop train / scan / report ...) works without them.")
    return "\n".join(lines)


def window_problem() -> str | None:
    """The message to print instead of opening the window, or None when it can open."""
    if not uses_xcb():
        return None
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    missing = missing_libraries(plugins / "platforms" / "libqxcb.so")
    return install_message(missing) if missing else None
