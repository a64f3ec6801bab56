"""The window's system libraries on Linux/X11: a missing one is named with the command that installs it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("PySide6.QtCore", reason="the no-Qt layer check blocks PySide6")

from radar_desktop.gui.system_libraries import install_message, unresolved, uses_xcb, window_problem  # noqa: E402

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibfoo-special.so.2 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)
"""


def test_ldds_unresolved_libraries_become_one_install_command():
    missing = unresolved(LDD)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libfoo-special.so.2"]
    message = install_message(missing)
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1\n" in message
    assert "the packages that provide: libfoo-special.so.2" in message
    assert "command line" in message


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux", False),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_only_an_x11_window_is_checked(environ, platform, expected):
    assert uses_xcb(environ, platform) is expected


def test_the_launch_command_prints_the_install_command_when_this_machine_lacks_them(tmp_path, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    if window_problem() is None:
        pytest.skip("this machine has every library Qt's xcb plugin needs")
    env = {**os.environ, "DISPLAY": ":99", "RADAR_DESKTOP_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "radar_desktop.app"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "sudo apt-get install " in done.stderr and "cannot open its window" in done.stderr
    assert not (tmp_path / "profiles").exists(), "nothing is installed before the check"
