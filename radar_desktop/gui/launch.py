"""Starting the Qt application and the main window, optionally with a task to run and exit."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from radar_desktop.core.resources import samples_folder
from radar_desktop.gui.main_window import MainWindow, application
from radar_desktop.gui.system_libraries import window_problem
from radar_desktop.profiles.demo import install_demo_if_empty
from radar_desktop.profiles.profile import ProfileError

log = logging.getLogger(__name__)
SCREENSHOT_DELAY_MS = 300  # let the last results paint before grabbing


def run_gui(
    profile_name: str | None,
    device_name: str,
    open_path: Path | None = None,
    camera: str | None = None,
    frames: int | None = None,
    screenshot: Path | None = None,
    quit_when_done: bool = False,
) -> int:
    """Open the window; with ``open_path`` scan it, with ``camera`` watch it live (``frames`` of them, else
    until stopped). When the task (scan, live run, else profile loading) ends,
    save ``screenshot`` if asked and, with ``quit_when_done`` or a screenshot, exit with its status.

    On first launch (an empty profile store) the bundled demo profile is installed and, unless told
    otherwise, the bundled sample images are inspected, so a fresh install opens with something to see.
    """
    problem = window_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    told_what_to_do = profile_name is not None or open_path is not None or camera is not None
    if install_demo() and not told_what_to_do and samples_folder().is_dir():
        open_path = samples_folder()
    app = application()
    window = MainWindow(device_name, profile_name)
    window.show()
    # logged once the event loop has painted the window; benchmarks/startup.py times this line
    QTimer.singleShot(0, lambda: log.info("window shown (torch loaded: %s)", "torch" in sys.modules))

    def finish(code: int) -> None:
        if screenshot is not None and not window.grab().save(str(screenshot)):
            log.error("could not save the screenshot to %s", screenshot)
            code = 1
        if quit_when_done or screenshot is not None:
            window.close()
            app.exit(code)

    def on_task_done(code: int) -> None:
        QTimer.singleShot(SCREENSHOT_DELAY_MS, lambda: finish(code))

    window.sig_task_done.connect(on_task_done)  # emitted on the GUI thread: the scan's, else the profile load's
    if camera is not None:
        window.open_camera(camera, frames)
    elif open_path is not None:
        window.open_paths([open_path])
    elif not window.profiles.loading:
        on_task_done(0)
    code = app.exec()
    window.engine.stop()  # already stopped when the window closed; harmless then
    return code


def install_demo() -> bool:
    """Install the demo profile into an empty store; a damaged bundle is logged, never fatal."""
    try:
        return install_demo_if_empty() is not None
    except (ProfileError, OSError) as error:
        log.warning("the demo profile was not installed: %s", error)
        return False
