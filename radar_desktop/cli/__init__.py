"""Headless commands over the same core the GUI uses: train, scan, report, watch, evaluate, profiles, history.

:func:`add_commands` registers them on the app's parser, :func:`run` runs the parsed one.
"""

from radar_desktop.cli.console import progress_bar
from radar_desktop.cli.dispatch import run
from radar_desktop.cli.evaluate import format_table
from radar_desktop.cli.parser import add_commands
from radar_desktop.cli.smoke import smoke_test

__all__ = ["add_commands", "format_table", "progress_bar", "run", "smoke_test"]
