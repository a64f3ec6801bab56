"""Headless commands over the same core the GUI uses: train, scan, report, evaluate."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from radar_desktop.core.atomic import WriteError, check_writable
from radar_desktop.core.calibration import NOK_FALSE_REJECT_RATE, REVIEW_FALSE_REJECT_RATE
from radar_desktop.core.cancel import CancelToken, Cancelled, ProgressFn
from radar_desktop.core.quantities import score_text
from radar_desktop.sources.camera_variation import PARTS as CAMERA_PARTS, CameraVariation

EXIT_INTERRUPTED = 130


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


@contextmanager
def progress_bar(description: str) -> Iterator[ProgressFn]:
    """A tqdm bar on an interactive terminal; silent otherwise (pipes, CI, a windowed app)."""
    from tqdm import tqdm

    stream = sys.stderr
    bar = tqdm(
        total=1000,
        desc=description,
        disable=not (stream and stream.isatty()),
        file=stream,
        leave=False,
        bar_format="{desc} {percentage:3.0f}% |{bar:24}| {elapsed}<{remaining}{postfix}",
    )

    def report(fraction: float, message: str) -> None:
        bar.n = int(1000 * min(max(fraction, 0.0), 1.0))
        bar.set_postfix_str(message, refresh=False)
        bar.refresh()

    try:
        yield report
    finally:
        bar.close()


def log(message: str) -> None:
    """A message on stderr that does not tear an active progress bar."""
    from tqdm import tqdm

    tqdm.write(message, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run one command; returns the exit status. Expected failures become one line on stderr."""
    from radar_desktop.profiles.profile import ProfileError
    from radar_desktop.sources.images import ImageReadError

    handlers = {"train": _train, "scan": _scan, "report": _report, "evaluate": _evaluate, "profiles": _profiles,
                "history": _history, "watch": _watch}
    try:
        return handlers[args.command](args)
    except (ProfileError, ImageReadError, ValueError, OSError) as error:
        logging.getLogger(__name__).debug("%s failed", args.command, exc_info=True)  # traceback with -v
        print(f"radar-desktop {args.command}: error: {error}", file=sys.stderr)
        return 1
    except (Cancelled, KeyboardInterrupt):
        print(f"radar-desktop {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _train(args: argparse.Namespace) -> int:
    from radar_desktop.engine.config import TrainConfig
    from radar_desktop.engine.device import resolve_device
    from radar_desktop.engine.scorers.registry import DEFAULT_SCORERS
    from radar_desktop.profiles.builder import build_profile
    from radar_desktop.profiles.promises import promise_lines
    from radar_desktop.profiles.working_resolution import resolution_for_folder

    if args.steps is not None:
        budget = {"max_steps": args.steps, "max_seconds": None}
    else:
        budget = {"max_seconds": 60.0 * (args.minutes or 15.0)}
    variation = CameraVariation.only(args.camera_variation).parts
    settings = TrainConfig(**budget, batch_size=args.batch_size, bank_size=args.bank_size, variation=variation)
    device = resolve_device(args.device)
    cancel = CancelToken()
    config = _model_config(args)
    if args.min_defect is not None and (args.config or args.resize):
        raise ValueError("--min-defect chooses the working resolution: leave out --resize and --config")
    if args.config is None and args.resize is None:
        resolution = resolution_for_folder(args.images, config, args.min_defect, args.scale)
        config = resolution.apply(config)
        log(f"working resolution: {resolution.describe()}")
    with progress_bar("train") as progress, cancel_on_interrupt(cancel):
        try:
            profile = build_profile(
                args.images,
                args.name,
                model_config=config,
                train_config=settings,
                device=device,
                default_scorer=args.scorer or DEFAULT_SCORERS[config.space],
                held_back=args.held_back,
                inspection={"mm_per_pixel": args.scale} if args.scale else None,
                replace=args.replace,
                selftest=not args.no_selftest,
                cancel=cancel,
                progress=progress,
                log=log,
            )
        except Cancelled:
            log("training interrupted; its checkpoint is kept: run the same command again to resume")
            raise
    t = profile.training
    th = profile.thresholds()
    print(
        f"profile {profile.name!r} saved: {t['steps']} steps in {t['seconds']:.0f} s, final loss {t['final_loss']:.4f}; "
        f"scorer {profile.entry().made_of(profile.default_scorer)}, thresholds REVIEW > {score_text(th.review)}, "
        f"NOK > {score_text(th.nok)}; hash {profile.content_hash[:12]}"
    )
    print("\n".join(promise_lines(profile)))
    if profile.selftest:
        from radar_desktop.engine.jobs.selftest import selftest_table

        print("detection-probability self-test:")
        print("\n".join(selftest_table(profile.selftest)))
    return 0


def _model_config(args: argparse.Namespace):
    """The model config from ``--config`` (or the defaults), with the command-line overrides applied."""
    from dataclasses import replace

    from radar_desktop.engine.config import DEFAULT_SPACE, ModelConfig, default_config

    config = ModelConfig.load(args.config) if args.config else default_config(args.space or DEFAULT_SPACE)
    if args.space and config.space != args.space:
        raise ValueError(f"--space {args.space} contradicts the {config.space} space of {args.config}")
    overrides = {"channels": 3 if args.color else None, "image_size": args.image_size, "resize_mode": args.resize}
    return replace(config, **{k: v for k, v in overrides.items() if v is not None})


@contextmanager
def cancel_on_interrupt(cancel: CancelToken) -> Iterator[None]:
    """The first Ctrl-C asks the job to stop cleanly (it checkpoints); a second one stops at once."""

    def first_interrupt(signum, frame) -> None:
        log("stopping after the current step (press Ctrl-C again to abort at once)")
        cancel.cancel()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, first_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _open(profile_name: str, device_name: str):
    """The named profile and its model on the chosen device."""
    from radar_desktop.engine.device import resolve_device
    from radar_desktop.profiles.store import open_profile

    profile = open_profile(profile_name)
    device = resolve_device(device_name)
    return profile, profile.load_model(device)


def rescued(error: WriteError, entries: list, name: str) -> WriteError:
    """``error``, once the results' CSV is saved under the data folder's ``unsaved/`` instead, saying where."""
    from datetime import datetime

    from radar_desktop.profiles.paths import data_home
    from radar_desktop.reports.entries import write_entries_csv

    rescue = data_home() / "unsaved" / f"{datetime.now():%Y%m%d-%H%M%S}-{name}"
    write_entries_csv(entries, rescue)
    return WriteError(f"{error}. The {len(entries)} results were saved instead to {rescue}")


def write_csv_or_rescue(entries: list, path: Path) -> None:
    """Write the results' CSV to ``path``, or, when that cannot be saved, to a rescue copy; the error
    then says where the results went, so none is lost."""
    from radar_desktop.reports.entries import write_entries_csv

    try:
        write_entries_csv(entries, path)
    except WriteError as error:
        raise rescued(error, entries, path.name) from error


def _scan(args: argparse.Namespace) -> int:
    from radar_desktop.reports.heatmap_image import colorize, overlay, save_png

    check_writable(args.csv)
    if args.maps:
        check_writable(args.maps / "heatmap.png")
    run = _ScanRun(args, "cli-scan")

    def save_map(entry, result, load_image) -> None:
        if args.maps:
            heat = colorize(result.anomaly_map, *run.calibration.map_range)
            save_png(overlay(load_image(), heat), args.maps / f"{Path(entry.path).stem}_heatmap.png")

    try:
        run.scan(args.input, save_map)
    finally:
        write_csv_or_rescue(run.entries, args.csv)  # whatever was inspected before an interruption is kept
        run.close_history()
    print(f"{_counts_line(run.entries)} -> {args.csv}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from radar_desktop.reports.export import ReportFiles, export_report
    from radar_desktop.reports.figures import make_figure, outlined
    from radar_desktop.reports.pdf import PdfOptions
    from radar_desktop.core.records import login_name
    from radar_desktop.reports.session import build_report

    options = PdfOptions(page_size=args.page_size, only_flagged=args.only_flagged)
    files = ReportFiles(args.pdf, args.csv)
    for path in files.written():  # fail before a long scan, not after it
        check_writable(path)
    run = _ScanRun(args, "cli-report")
    figures = {}  # small JPEGs, so a large batch does not keep full-size maps

    def keep_figure(entry, result, load_image) -> None:
        if entry.flagged or not options.only_flagged:
            figures[entry.index] = make_figure(load_image(), result.anomaly_map, run.calibration.map_range, outlined(result, run.outline))

    cancel = CancelToken()
    with cancel_on_interrupt(cancel):
        try:
            run.scan(args.input, keep_figure, cancel)
        finally:
            run.close_history()
        report = build_report(run.session(args.operator or login_name() or "unknown", str(args.input.resolve())), run.entries)
        with progress_bar("report") as progress:
            try:
                pages = export_report(report, lambda e: figures.get(e.index), files, options, cancel=cancel, progress=progress)
            except WriteError as error:
                raise rescued(error, run.entries, files.pdf.with_suffix(".csv").name) from error
    written = ", ".join(str(p) for p in files.written())
    print(f"report {report.report_id}: {_counts_line(run.entries)}; {pages} pages -> {written}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from radar_desktop.history.database import HistoryDatabase
    from radar_desktop.history.watch import FolderWatcher, watch_folder
    from radar_desktop.sources.images import ImageReadError

    if not args.folder.is_dir():
        raise ImageReadError(f"{args.folder}: no such folder to watch")
    run = _ScanRun(args, "watch")
    watcher = FolderWatcher(args.folder, settle_s=args.settle, channels=run.model.config.channels)

    def inspected(outcome) -> None:
        run.history.submit(outcome)
        verdict = "ERROR" if outcome.result is None else outcome.result.verdict.value
        detail = outcome.error if outcome.result is None else f"score {score_text(outcome.result.score)}"
        print(f"{Path(outcome.path).name}: {verdict} ({detail})", flush=True)

    said = [""]

    def status(message: str) -> None:  # a line when what the watch is doing changes, not every poll
        if message != said[0]:
            said[0] = message
            log(message)

    cancel = CancelToken()
    try:
        with cancel_on_interrupt(cancel), HistoryDatabase() as database:
            count = watch_folder(
                run.inspector, watcher, profile_hash=run.profile.content_hash, on_outcome=inspected, on_status=status,
                database=database, cancel=cancel, poll_s=args.poll, max_files=args.max_files, idle_exit_s=args.idle_exit,
            )
    finally:
        run.close_history()
    print(f"watched {args.folder}: {count} inspected")
    return 0


class _ScanRun:
    """A profile opened for a scan, and the entries the scan has produced so far."""

    def __init__(self, args: argparse.Namespace, origin: str) -> None:
        from radar_desktop.core.records import login_name
        from radar_desktop.engine.device import describe_device
        from radar_desktop.engine.jobs.inspection import Inspector
        from radar_desktop.history.recording import RecordContext
        from radar_desktop.history.writer import HistoryWriter

        self.profile, self.model = _open(args.profile, args.device)
        self.scorer = args.scorer or self.profile.default_scorer
        self.calibration = self.profile.entry(self.scorer)
        self.outline = self.profile.outline_levels(self.scorer)
        self.device = describe_device(self.model.device)
        self.inspector = Inspector(
            self.model,
            self.profile.load_scorer(self.scorer),
            self.calibration.thresholds,
            plan=self.profile.inspection_plan(self.scorer),
        )
        self.entries: list = []
        context = RecordContext(
            origin=origin,
            profile_name=self.profile.name,
            profile_hash=self.profile.content_hash,
            scorer=self.scorer,
            thresholds=self.calibration.thresholds,
            lot=args.lot,
            operator=args.operator or login_name(),
            mm_per_pixel=self.profile.inspection.get("mm_per_pixel"),
            map_range=self.calibration.map_range,
        )
        self.history = HistoryWriter(context, on_error=log)

    def scan(self, source: Path, on_result, cancel: CancelToken | None = None) -> None:
        """Inspect ``source`` (file or folder); ``on_result(entry, result, load_image)`` sees each inspected image."""
        from radar_desktop.engine.jobs.scan import scan_files
        from radar_desktop.reports.entries import entry_from_outcome
        from radar_desktop.sources.images import list_images, read_image

        paths = list_images(source)
        with progress_bar("scan") as progress:
            for outcome in scan_files(self.inspector, paths, cancel=cancel, progress=progress):
                entry = entry_from_outcome(len(self.entries) + 1, outcome, mm_per_pixel=self.profile.inspection.get("mm_per_pixel"))
                self.entries.append(entry)
                self.history.submit(outcome)
                if outcome.result is not None:
                    path, channels = outcome.path, self.model.config.channels
                    on_result(entry, outcome.result, lambda: read_image(path, channels))

    def close_history(self) -> None:
        """Commit the run's history rows (what could not be is told, and kept under ``unsaved/``)."""
        if not self.history.close(timeout=60.0):
            log(f"history: {len(self.history.unwritten)} of {len(self.entries)} inspections could not be recorded")

    def session(self, operator: str, source: str):
        """What the report says about this run."""
        from radar_desktop.engine.models.spaces import model_record
        from radar_desktop.history.drift import report_drift
        from radar_desktop.profiles.promises import promise_lines
        from radar_desktop.reports.session import SessionInfo

        return SessionInfo(
            operator=operator,
            source=source,
            profile_name=self.profile.name,
            profile_hash=self.profile.content_hash,
            scorer=self.scorer,
            device=self.device,
            thresholds=self.calibration.thresholds,
            model=model_record(self.model),
            inspection=self.profile.inspection,
            selftest=self.profile.selftest,
            drift=report_drift(self.profile.name, self.scorer, path=self.history.path),
            scorer_parts=tuple(self.calibration.parts),
            read_scale=self.calibration.read_scale,
            promise=promise_lines(self.profile, self.scorer),
        )


def smoke_test(device_name: str) -> int:
    """Load the bundled demo profile, inspect one bundled defect sample, print the verdict.

    Checks that a fresh install (or a frozen bundle) has a working engine: torch, diffusers, the model
    weights, a scorer state and image decoding. Returns 0 when the sample was inspected.
    """
    import time

    from radar_desktop.core.resources import demo_profile_folder, samples_folder
    from radar_desktop.engine.device import describe_device, resolve_device
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.profiles.profile import load_verified
    from radar_desktop.profiles.profile import ProfileError
    from radar_desktop.sources.images import ImageReadError, list_images, read_image

    began = time.perf_counter()
    try:
        profile = load_verified(demo_profile_folder())
        model = profile.load_model(resolve_device(device_name))
        inspector = Inspector(model, profile.load_scorer(), profile.thresholds())
        sample = [p for p in list_images(samples_folder()) if "good" not in p.stem][0]
        result = inspector.inspect([read_image(sample, model.config.channels)], [str(sample)])[0]
    except (ProfileError, ImageReadError, OSError, IndexError) as error:
        print(f"smoke test failed: {error}", file=sys.stderr)
        return 1
    thresholds = inspector.thresholds
    print(
        f"smoke test: {sample.name} -> {result.verdict.value} (score {score_text(result.score)}; REVIEW > {score_text(thresholds.review)}, "
        f"NOK > {score_text(thresholds.nok)}) with profile {profile.name!r} {profile.content_hash[:12]}, scorer "
        f"{profile.default_scorer}, on {describe_device(model.device)}, {time.perf_counter() - began:.1f} s"
    )
    return 0


def _counts_line(entries: list) -> str:
    from radar_desktop.reports.entries import verdict_counts

    counts = verdict_counts(e.verdict for e in entries)
    return (
        f"{len(entries)} files: {counts['OK']} OK, {counts['REVIEW']} REVIEW, {counts['NOK']} NOK, "
        f"{counts['ERROR']} errors"
    )


def _profiles(args: argparse.Namespace) -> int:
    from radar_desktop.profiles import manage
    from radar_desktop.profiles.store import list_profiles, open_profile
    from radar_desktop.profiles.summary import profile_summary

    if args.action == "list":
        good, broken = list_profiles()
        for profile in good:
            print(f"{profile.name}\t{profile.default_scorer}\t{profile.modified or profile.created}\t{profile.content_hash[:12]}")
        for item in broken:
            print(f"{item.name}\tBROKEN\t{item.reason}")
        if not good and not broken:
            print("no profiles yet: train one with  radar-desktop train --images DIR --name NAME", file=sys.stderr)
    elif args.action == "show":
        print(profile_summary(open_profile(args.name)))
    elif args.action == "export":
        print(f"exported {args.name!r} -> {manage.export_profile(args.name, args.file)}")
    elif args.action == "import":
        profile = manage.import_profile(args.file, args.name, args.replace)
        print(f"imported {profile.name!r} (hash {profile.content_hash[:12]} checked)")
    elif args.action == "selftest":
        return _selftest(args)
    elif args.action in ("duplicate", "rename"):
        profile = getattr(manage, args.action)(args.name, args.new_name)
        print(f"{args.action}d {args.name!r} -> {profile.name!r}")
    else:
        print(f"moved {args.name!r} to {manage.delete(args.name)}")
    return 0


def _history(args: argparse.Namespace) -> int:
    """List or export history rows; the database module does the querying, this only prints."""
    from radar_desktop.history.database import HistoryDatabase, HistoryError, HistoryFilter, parse_when
    from radar_desktop.history.export import history_table

    flt = HistoryFilter(
        date_from=parse_when(args.date_from) if args.date_from else None,
        date_to=parse_when(args.date_to) if args.date_to else None,
        profile_name=args.profile, verdicts=tuple(args.verdict or ()), lot=args.lot, operator=args.operator,
        name=args.name, origin=args.origin,
    )
    if args.action == "export" and not (args.csv or args.pdf):
        print("radar-desktop history export: error: give --csv FILE, --pdf FILE or both", file=sys.stderr)
        return 2
    try:
        with HistoryDatabase() as database:
            if args.action == "export":
                return _export_history(database, flt, args)
            rows = database.query(flt, limit=args.limit)
            if not rows:
                print("no inspections match", file=sys.stderr)
                return 0
            print("\n".join(history_table(rows)))
            print(f"{len(rows)} of {database.count(flt)} matching inspections, newest first")
    except HistoryError as error:
        print(f"radar-desktop history: error: {error}", file=sys.stderr)
        return 1
    return 0


def _export_history(database, flt, args: argparse.Namespace) -> int:
    """The matching rows to CSV and/or a PDF report of them (checked writable before anything is written)."""
    from radar_desktop.core.records import login_name
    from radar_desktop.history.export import write_history_csv
    from radar_desktop.history.report_export import history_figures, history_report
    from radar_desktop.reports.export import ReportFiles, export_report
    from radar_desktop.reports.pdf import PdfOptions

    files = ReportFiles(args.pdf) if args.pdf else None
    for path in [args.csv] + (files.written() if files else []):
        if path is not None:
            check_writable(path)
    if files is not None:  # the PDF's checks (one profile, not too many rows) come before any file is written
        made = history_report(database, flt, operator=args.filed_by or login_name() or "unknown")
    if args.csv:
        print(f"{write_history_csv(database, flt, args.csv)} inspections -> {args.csv}")
    if files is not None:
        options = PdfOptions(page_size=args.page_size, only_flagged=args.only_flagged)
        with progress_bar("report") as progress:
            pages = export_report(made.report, history_figures(database.files_dir, made.rows), files, options, progress=progress)
        print(f"report {made.report.report_id}: {_counts_line(list(made.report.entries))}; {pages} pages -> "
              f"{', '.join(str(p) for p in files.written())}")
    return 0


def _selftest(args: argparse.Namespace) -> int:
    """POD self-test of a stored profile with synthetic defects; the result is kept as a new version."""
    from radar_desktop.engine.device import resolve_device
    from radar_desktop.engine.jobs.selftest import selftest_table
    from radar_desktop.profiles.selftest_run import selftest_profile

    cancel = CancelToken()
    with progress_bar("self-test") as progress, cancel_on_interrupt(cancel):
        profile, record = selftest_profile(args.name, resolve_device(args.device), seed=args.seed, cancel=cancel, progress=progress)
    scores = record["scores"]
    samples = sum(len(s["sizes"]) for s in scores["shapes"].values())
    print(
        f"self-test of {profile.name!r} (scorer {scores['scorer']}, NOK > {score_text(record['nok'])}): {samples} synthetic defects "
        f"in {scores['images']} held-back images, {scores['seconds']:.1f} s"
    )
    print("\n".join(selftest_table(record)))
    print(f"saved as a new version of {profile.name!r} (hash {profile.content_hash[:12]})")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from radar_desktop.core.atomic import write_text_atomic
    from radar_desktop.engine.jobs.evaluation import evaluate_scorers
    from radar_desktop.sources.mvtec import labelled_test_images

    profile, model = _open(args.profile, args.device)
    names = list(profile.scorers) if args.scorer == "all" else (args.scorer or profile.default_scorer).split(",")
    scorers = [profile.load_scorer(n) for n in names]
    items = labelled_test_images(args.dataset)
    with progress_bar("evaluate") as progress:
        results, skipped = evaluate_scorers(
            model, scorers, {n: profile.thresholds(n) for n in names}, items, progress=progress
        )
    for path, reason in skipped:
        log(f"skipped {path}: {reason}")
    report = {
        "dataset": str(args.dataset),
        "profile": profile.name,
        "profile_hash": profile.content_hash,
        "images": len(items) - len(skipped),
        "anomalous": sum(i.is_anomalous for i in items),
        "skipped": [list(s) for s in skipped],
        "scorers": {
            r.scorer: {**r.summary(), "description": s.description, "made_of": list(s.part_labels()), "scores": r.scores}
            for r, s in zip(results, scorers)
        },
    }
    write_text_atomic(args.json, json.dumps(report, indent=2))
    print(format_table(results))
    for scorer in scorers:
        print(f"{scorer.name}: {scorer.description}" + (f" (made of {' + '.join(scorer.part_labels())})" if len(scorer.part_labels()) > 1 else ""))
    return 0


def format_table(results) -> str:
    """A plain-text table of the headline metrics, one row per scorer.

    Recall and good-rejected are at the calibrated REVIEW (5%) and NOK (1%) thresholds; F1 at NOK.
    """
    width = max([10, *(len(r.scorer) for r in results)])
    header = (
        f"{'scorer':<{width}} {'img AUROC':>9} {'pix AUROC':>9} {'AUPRO':>6} {'recall R/N':>10} "
        f"{'good rej R/N':>12} {'F1':>5} {'best F1':>7} {'ms/img':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        t, v = r.at_threshold, r.at_review
        lines.append(
            f"{r.scorer:<{width}} {r.image_auroc:>9.3f} {r.pixel_auroc:>9.3f} {r.aupro:>6.3f} "
            f"{v['recall']:>5.2f}/{t['recall']:<4.2f} {v['false_reject_rate']:>7.2f}/{t['false_reject_rate']:<4.2f} "
            f"{t['f1']:>5.2f} {r.best_f1['f1']:>7.2f} {r.ms_per_image:>8.1f}"
        )
    lines.append(f"good rej: share of good test images above REVIEW / NOK; the thresholds promise at most "
                 f"{REVIEW_FALSE_REJECT_RATE:g} / {NOK_FALSE_REJECT_RATE:g}")
    return "\n".join(lines)
