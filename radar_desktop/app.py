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
    parser.add_argument("--camera", metavar="SOURCE", help="watch this camera (device index), video file or stream live")
    parser.add_argument("--frames", type=int, metavar="N", help="with --camera: stop after N inspected frames")
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the window when the task is done, then quit")
    parser.add_argument("--quit-when-done", action="store_true", help="quit when the task is done (exit 0 on success)")
    parser.add_argument(
        "--smoke-test", action="store_true", help="inspect one bundled sample with the demo profile, print the verdict, exit"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="command")
    cli.add_commands(subparsers)
    return parser


def configure_logging(verbose: bool) -> None:
    """Log to stderr; a windowed frozen app has none, so it logs to ``logs/`` in the data folder."""
    settings = {"level": logging.DEBUG if verbose else logging.INFO, "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    if sys.stderr is None:
        from radar_desktop.profiles.paths import data_home

        folder = data_home() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        settings["filename"] = str(folder / "radar-desktop.log")
    logging.basicConfig(**settings)


def smoke_test(device_name: str) -> int:
    """The headless engine check, then a check that the window's modules (Qt, pyqtgraph) load."""
    from radar_desktop import cli

    code = cli.smoke_test(device_name)
    if code == 0:
        import radar_desktop.gui.main_window  # noqa: F401  (a frozen bundle missing a Qt library fails here)

        print("smoke test: window modules load (PySide6, pyqtgraph)")
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    if args.command:
        from radar_desktop import cli

        return cli.run(args)
    if args.smoke_test:
        return smoke_test(args.device)
    from radar_desktop.gui.launch import run_gui

    return run_gui(
        profile_name=args.profile,
        device_name=args.device,
        open_path=args.open,
        camera=args.camera,
        frames=args.frames,
        screenshot=args.screenshot,
        quit_when_done=args.quit_when_done,
    )


if __name__ == "__main__":
    sys.exit(main())
