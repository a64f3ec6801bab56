"""Running one parsed command, with expected failures as one line on stderr and an exit status."""

from __future__ import annotations

import argparse
import logging
import sys

from radar_desktop.cli.evaluate import evaluate_command
from radar_desktop.cli.history import history_command
from radar_desktop.cli.profiles import profiles_command
from radar_desktop.cli.scan import report_command, scan_command
from radar_desktop.cli.train import train_command
from radar_desktop.cli.watch import watch_command
from radar_desktop.core.cancel import Cancelled

EXIT_INTERRUPTED = 130


def run(args: argparse.Namespace) -> int:
    """Run one command; returns the exit status. Expected failures become one line on stderr."""
    from radar_desktop.profiles.profile import ProfileError
    from radar_desktop.sources.images import ImageReadError

    handlers = {"train": train_command, "scan": scan_command, "report": report_command, "evaluate": evaluate_command,
                "profiles": profiles_command, "history": history_command, "watch": watch_command}
    try:
        return handlers[args.command](args)
    except (ProfileError, ImageReadError, ValueError, OSError) as error:
        logging.getLogger(__name__).debug("%s failed", args.command, exc_info=True)  # traceback with -v
        print(f"radar-desktop {args.command}: error: {error}", file=sys.stderr)
        return 1
    except (Cancelled, KeyboardInterrupt):
        print(f"radar-desktop {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
