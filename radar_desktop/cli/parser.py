"""The headless sub-commands' arguments: train, scan, report, watch, profiles, history and evaluate."""

from __future__ import annotations

import argparse
from pathlib import Path

from radar_desktop.sources.camera_variation import PARTS as CAMERA_PARTS


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the headless sub-commands."""
    train = subparsers.add_parser("train", help="train and calibrate a profile from a folder of good images")
    train.add_argument("--images", required=True, type=Path, help="folder of good (defect-free) images")
    train.add_argument("--name", required=True, help="name of the profile to create")
    train.add_argument(
        "--held-back", type=Path,
        help="folder of good images from another session or day to calibrate on (default: one in five of --images)",
    )
    train.add_argument(
        "--camera-variation", default=",".join(CAMERA_PARTS), metavar="PARTS",
        help=f"camera re-renderings training and calibration see, comma-separated from {','.join(CAMERA_PARTS)}, "
        "or none (default: all)",
    )
    budget = train.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="training time budget (default 15)")
    budget.add_argument("--steps", type=int, help="training step budget")
    train.add_argument("--device", default="auto", help="auto, cpu, cuda or mps (default auto)")
    train.add_argument(
        "--space", choices=("encoder", "pixel"), help="encoder: RADAR on pretrained features (default); pixel: on image patches"
    )
    train.add_argument("--scorer", default=None, help="the profile's default scorer (default: the space's best)")
    train.add_argument("--color", action="store_true", help="inspect in colour (default: grayscale)")
    train.add_argument("--image-size", type=int, help="working size in pixels (default 256)")
    train.add_argument(
        "--resize", choices=("fit", "stretch", "tiles"),
        help="fit: keep aspect and pad; stretch; tiles (default: tiles for long images or with --min-defect, else stretch)",
    )
    train.add_argument(
        "--min-defect", type=float, metavar="SIZE",
        help="the smallest defect to find, in px (in mm with --scale): sets the working scale and the tiles",
    )
    train.add_argument("--scale", type=float, metavar="MM_PER_PX", help="mm per image pixel (sizes are then reported in mm)")
    train.add_argument("--config", type=Path, help="JSON file with model settings (advanced)")
    train.add_argument("--batch-size", type=int, default=64, help="patches per training step")
    train.add_argument(
        "--bank-size", type=int, default=8192, help="good-feature vectors the features scorer keeps (default 8192)"
    )
    train.add_argument("--replace", action="store_true", help="replace an existing profile of that name")
    train.add_argument(
        "--no-selftest", action="store_true",
        help="skip the detection-probability self-test with synthetic defects (run it later: profiles selftest NAME)",
    )

    scan = subparsers.add_parser("scan", help="inspect a folder or file and write one CSV row per image")
    scan.add_argument("--profile", required=True)
    scan.add_argument("--input", required=True, type=Path, help="an image file or a folder of images")
    scan.add_argument("--csv", required=True, type=Path, help="output CSV")
    scan.add_argument("--maps", type=Path, help="folder for heatmap overlay PNGs")
    scan.add_argument("--scorer", default=None, help="scorer to use (default: the profile's)")
    scan.add_argument("--device", default="auto")
    scan.add_argument("--operator", help="who inspects, for the history (default: the login name)")
    scan.add_argument("--lot", default="", help="lot or batch label, for the history")

    report = subparsers.add_parser("report", help="inspect a folder or file and write a PDF report (and CSV)")
    report.add_argument("--profile", required=True)
    report.add_argument("--input", required=True, type=Path, help="an image file or a folder of images")
    report.add_argument("--pdf", required=True, type=Path, help="output PDF (a JSON sidecar is written beside it)")
    report.add_argument("--csv", type=Path, help="also write one CSV row per image")
    report.add_argument("--only-flagged", action="store_true", help="picture only REVIEW and NOK images")
    report.add_argument("--operator", help="name on the report (default: the login name)")
    report.add_argument("--page-size", choices=("A4", "Letter"), default="A4")
    report.add_argument("--scorer", default=None, help="scorer to use (default: the profile's)")
    report.add_argument("--device", default="auto")
    report.add_argument("--lot", default="", help="lot or batch label, for the report's history rows")

    watch = subparsers.add_parser("watch", help="inspect images as they arrive in a folder, each once, into the history")
    watch.add_argument("--profile", required=True)
    watch.add_argument("--folder", required=True, type=Path, help="the folder new images are copied into")
    watch.add_argument("--scorer", default=None, help="scorer to use (default: the profile's)")
    watch.add_argument("--device", default="auto")
    watch.add_argument("--operator", help="who inspects, for the history (default: the login name)")
    watch.add_argument("--lot", default="", help="lot or batch label, for the history")
    watch.add_argument("--poll", type=float, default=1.0, help="seconds between looks at the folder (default 1)")
    watch.add_argument("--settle", type=float, default=2.0, help="seconds a file's size must stay still (default 2)")
    watch.add_argument("--max-files", type=int, help="stop after inspecting this many files")
    watch.add_argument("--idle-exit", type=float, help="stop after this many seconds without a new file")

    profiles = subparsers.add_parser("profiles", help="list, show, export, import, duplicate, rename or delete profiles")
    actions = profiles.add_subparsers(dest="action", metavar="action", required=True)
    actions.add_parser("list", help="every profile in the store, broken ones with the reason")
    actions.add_parser("show", help="everything a profile records").add_argument("name")
    export = actions.add_parser("export", help="write a profile to one .radarprofile file")
    export.add_argument("name")
    export.add_argument("file", type=Path)
    imported = actions.add_parser("import", help="add the profile in a .radarprofile file (its hash is checked)")
    imported.add_argument("file", type=Path)
    imported.add_argument("--name", help="import under this name")
    imported.add_argument("--replace", action="store_true", help="replace a profile of the same name")
    for action, text in (("duplicate", "copy a profile under a new name"), ("rename", "give a profile a new name")):
        command = actions.add_parser(action, help=text)
        command.add_argument("name")
        command.add_argument("new_name")
    actions.add_parser("delete", help="move a profile to the trash folder").add_argument("name")
    selftest = actions.add_parser(
        "selftest", help="detection probability (a90) for synthetic defects pasted into the held-back images"
    )
    selftest.add_argument("name")
    selftest.add_argument("--seed", type=int, default=0, help="seed of the defects' places (default 0)")
    selftest.add_argument("--device", default="auto", help="auto, cpu, cuda or mps (default auto)")

    history = subparsers.add_parser("history", help="list or export the inspection history")
    history_actions = history.add_subparsers(dest="action", metavar="action", required=True)
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--from", dest="date_from", metavar="DATE", help="from this day (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM)")
    filters.add_argument("--to", dest="date_to", metavar="DATE", help="up to this day (inclusive) or time")
    filters.add_argument("--profile", help="profile name")
    filters.add_argument("--verdict", nargs="+", choices=("OK", "REVIEW", "NOK", "ERROR"), help="machine verdicts")
    filters.add_argument("--lot", help="lot / batch label")
    filters.add_argument("--operator")
    filters.add_argument("--name", default="", help="part of the file name (any case)")
    filters.add_argument("--origin", choices=("folder", "files", "live", "snapshot", "cli-scan", "cli-report", "watch"))
    shown = history_actions.add_parser("list", parents=[filters], help="the newest matching inspections as a table")
    shown.add_argument("--limit", type=int, default=50, help="rows to show (default 50)")
    exported = history_actions.add_parser(
        "export", parents=[filters], help="every matching inspection to CSV and/or a PDF report (one profile)"
    )
    exported.add_argument("--csv", type=Path, help="output CSV (every column the history keeps)")
    exported.add_argument("--pdf", type=Path, help="output PDF report (+ a JSON sidecar beside it)")
    exported.add_argument("--only-flagged", action="store_true", help="picture only REVIEW and NOK images in the PDF")
    exported.add_argument("--page-size", choices=("A4", "Letter"), default="A4")
    exported.add_argument("--filed-by", metavar="NAME", help="who files the PDF report (default: the login name)")

    evaluate = subparsers.add_parser("evaluate", help="measure a profile on an MVTec-layout dataset")
    evaluate.add_argument("--profile", required=True)
    evaluate.add_argument("--dataset", required=True, type=Path, help="folder with test/ and ground_truth/")
    evaluate.add_argument("--json", required=True, type=Path, help="output JSON with every metric")
    evaluate.add_argument(
        "--scorer", default=None, help="scorer names separated by commas, or 'all' (default: the profile's)"
    )
    evaluate.add_argument("--device", default="auto")
