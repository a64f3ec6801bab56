"""Entry point: parses arguments, then runs a headless command or opens the window.

Heavy modules (torch, diffusers, Qt) are imported only once the command needs them.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from radar_desktop import __version__


def build_parser() -> argparse.ArgumentParser:
    from radar_desktop import cli

    parser = argparse.ArgumentParser(
        prog="radar-desktop",
        description="Find and outline defects in product images with a diffusion model in one forward step.",
    )
    parser.add_argument("--version", action="version", version=f"radar-desktop {__version__}")
    parser.add_argument("--profile", help="open the window with this profile active")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or mps (default auto)")
    parser.add_argument("--open", type=Path, metavar="PATH", help="scan this folder or image when the window opens")
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the window when the task is done, then quit")
    parser.add_argument("--quit-when-done", action="store_true", help="quit when the task is done (exit 0 on success)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="command")
    cli.add_commands(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command:
        from radar_desktop import cli

        return cli.run(args)
    from radar_desktop.gui.launch import run_gui

    return run_gui(
        profile_name=args.profile,
        device_name=args.device,
        open_path=args.open,
        screenshot=args.screenshot,
        quit_when_done=args.quit_when_done,
    )


if __name__ == "__main__":
    sys.exit(main())
