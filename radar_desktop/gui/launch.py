"""Starting the Qt application and the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from radar_desktop.gui.status_window import StatusWindow, describe_active

log = logging.getLogger(__name__)


def run_gui(profile_name: str | None, device_name: str, screenshot: Path | None = None) -> int:
    """Open the window; with ``screenshot`` save it as PNG once painted and quit."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("RADAR Desktop")
    window = StatusWindow(describe_active(profile_name, device_name))
    window.show()
    if screenshot is not None:

        def grab_and_quit() -> None:
            if not window.grab().save(str(screenshot)):
                log.error("could not save the screenshot to %s", screenshot)
                app.exit(1)
                return
            app.quit()

        QTimer.singleShot(300, grab_and_quit)
    return app.exec()
