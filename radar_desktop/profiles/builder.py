"""Making a profile from a folder of good images: read, hold back, train, calibrate, save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.jobs.calibrate import WorkingImages, evenly_spaced, fit_scorers
from radar_desktop.engine.config import ModelConfig, TrainConfig
from radar_desktop.engine.device import describe_device
from radar_desktop.engine.jobs.inspection import Inspector
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.jobs.scan import scan_files
from radar_desktop.engine.scorers.base import Scorer
from radar_desktop.engine.scorers.registry import profile_scorers, scorers_for
from radar_desktop.engine.tiling import working_squares
from radar_desktop.engine.jobs.training import discard_checkpoint, train
from radar_desktop.profiles.folder_check import MIN_GOOD_IMAGES
from radar_desktop.profiles.paths import checkpoints_dir
from radar_desktop.profiles.profile import (
    Profile,
    ProfileError,
    ScorerEntry,
    check_name,
    preprocessing_of,
    save_profile,
)
from radar_desktop.profiles.selftest_run import profile_selftest
from radar_desktop.profiles.store import profile_path
from radar_desktop.sources.images import ImageReadError, list_images, read_image

MIN_HELD_BACK = 2
SELFTEST_START = 0.95  # where the progress bar stands when the self-test begins


@dataclass(frozen=True)
class GoodImages:
    """Good images at working size, split into training and held-back calibration sets."""

    train: WorkingImages
    held_back: WorkingImages
    train_names: tuple[str, ...]
    held_back_names: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (file name, reason)


def held_back_indices(count: int, every: int) -> list[int]:
    """Indices (by sorted name) held back for calibration: about 1 in ``every``, at least two."""
    return evenly_spaced(count, max(MIN_HELD_BACK, count // every))


def read_working(path: Path, config: ModelConfig) -> WorkingImages:
    """One good image as calibration keeps it: its working squares as uint8 (one, or its tiles), and
    where each one's content lies.

    Raises :class:`ImageReadError` when it cannot be read.
    """
    squares, placements, grid = working_squares(read_image(path, config.channels), config)
    return WorkingImages(np.round(squares * 255).astype(np.uint8), tuple(placements), None if grid is None else (grid,))


def load_good_images(folder: Path, config: ModelConfig, every: int, held_back_folder: Path | None = None) -> GoodImages:
    """Read a folder of good images; unreadable files are skipped and listed with their reason.

    About one in ``every`` is held back for calibration; with ``held_back_folder`` (good images of another
    session or day) every image of ``folder`` trains and that folder's images are held back instead.
    """
    everything, names, skipped = _read_folder(folder, config)
    if len(names) < MIN_GOOD_IMAGES:
        raise ImageReadError(f"{folder}: {len(names)} readable images; at least {MIN_GOOD_IMAGES} good images are needed")
    if held_back_folder is not None:
        held_back, held_names, held_skipped = _read_folder(held_back_folder, config)
        if len(held_names) < MIN_HELD_BACK:
            raise ImageReadError(
                f"{held_back_folder}: {len(held_names)} readable images; at least {MIN_HELD_BACK} are needed to calibrate"
            )
        return GoodImages(everything, held_back, tuple(names), tuple(held_names), skipped + held_skipped)
    held = set(held_back_indices(len(names), every))
    train_idx = [i for i in range(len(names)) if i not in held]
    held_idx = sorted(held)
    return GoodImages(
        train=everything.subset(train_idx),
        held_back=everything.subset(held_idx),
        train_names=tuple(names[i] for i in train_idx),
        held_back_names=tuple(names[i] for i in held_idx),
        skipped=skipped,
    )


def _read_folder(folder: Path, config: ModelConfig) -> tuple[WorkingImages, list[str], tuple[tuple[str, str], ...]]:
    """The readable images of a folder at working size, their names, and (name, reason) for the others."""
    images, names, skipped = [], [], []
    for path in list_images(folder):
        try:
            images.append(read_working(path, config))
        except ImageReadError as error:
            skipped.append((path.name, str(error)))
            continue
        names.append(path.name)
    return WorkingImages.join(images, config), names, tuple(skipped)


@dataclass
class PreparedProfile:
    """A trained and calibrated profile, not yet in the store (the calibration wizard returns one)."""

    profile: Profile
    model: RadarModel
    scorers: dict[str, Scorer]
    resumed_from_step: int | None = None
    mask: np.ndarray | None = None  # the inspection mask drawn in the wizard (1: inspected), saved with it


def build_profile(
    images: Path,
    name: str,
    *,
    replace: bool = False,
    **settings,
) -> Profile:
    """Train and calibrate a profile named ``name`` from a folder of good images and save it.

    ``settings`` are :func:`make_profile`'s. An interrupted run leaves a checkpoint; calling again with
    the same arguments resumes it.
    """
    check_name(name)
    if profile_path(name).exists() and not replace:
        raise ProfileError(f"a profile named {name!r} already exists (choose another name, or replace it)")
    return save_prepared(make_profile(images, name, **settings), replace=replace)


def make_profile(
    images: Path,
    name: str,
    *,
    model_config: ModelConfig,
    train_config: TrainConfig,
    device: torch.device,
    default_scorer: str,
    notes: str = "",
    defects: Path | None = None,
    held_back: Path | None = None,
    inspection: dict | None = None,
    mask: np.ndarray | None = None,
    selftest: bool = True,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
    log: Callable[[str], None] = lambda message: None,
    on_loss: Callable[[int, float], None] = lambda step, loss: None,
) -> PreparedProfile:
    """Train on the good images (resuming a checkpoint of the same name), calibrate every scorer on the
    held-back ones, and score ``defects`` (optional, only to measure); nothing is saved in the store.

    ``held_back`` is a folder of good images from another session or day to calibrate on (else about one
    in five of ``images`` is held back). Training, the memory bank and calibration also see camera
    re-renderings of the images (``train_config.variation``), so production's frames read as good.

    ``inspection`` (scale, acceptance rules) and the inspection ``mask`` go into the profile as given;
    thresholds are calibrated on whole images, so a mask can only lower good parts' peaks. With
    ``selftest``, the detection-probability self-test runs last (it needs the held-back images).
    """
    check_name(name)
    available = scorers_for(model_config.space)
    if default_scorer not in available:
        raise ProfileError(
            f"scorer {default_scorer!r} is not offered in the {model_config.space} space; choose one of {', '.join(available)}"
        )
    overall = progress
    if selftest:  # the self-test takes the bar's last 5%
        progress = lambda fraction, message: overall(SELFTEST_START * fraction, message)  # noqa: E731
    good = load_good_images(images, model_config, train_config.holdout_every, held_back)
    train_config = train_config.for_space(model_config.space, len(good.train.pixels))  # squares: a tile is a bank image
    variation = train_config.camera_variation()
    for file_name, reason in good.skipped:
        log(f"skipped {file_name}: {reason}")
    log(
        f"{len(good.train_names)} training images, {len(good.held_back_names)} held back for calibration"
        + (f" (from {held_back})" if held_back else "")
        + f", on {describe_device(device)}; camera variation: {variation.describe()}"
    )
    # the bar follows the time budget: the U-Net's share, then the defect head's, then ~15% for scorers
    unet_part = 0.85 * (1 - train_config.head_share)
    model, report = train(
        model_config,
        good.train.with_variation(variation, train_config.training_renderings, seed=1).pixels,
        train_config.unet_budget(),
        device,
        checkpoint_dir=checkpoints_dir() / name,
        cancel=cancel,
        progress=lambda f, m: progress(unet_part * f, f"training: {m}"),
        on_loss=on_loss,
    )
    if report.resumed_from_step is not None:
        log(f"resumed training from step {report.resumed_from_step} of an interrupted run")
    scorers = profile_scorers(available, train_config, model_config)
    bank_pick = evenly_spaced(len(good.train_names), train_config.bank_images)
    calibrations = fit_scorers(
        model,
        scorers,
        good.train.subset(bank_pick).with_variation(variation, train_config.training_renderings, seed=2),
        good.held_back.with_variation(variation, train_config.calibration_renderings, seed=3),
        finishing_share=0.85 * train_config.head_share / (1 - unet_part),
        cancel=cancel,
        progress=lambda f, m: progress(unet_part + (1 - unet_part) * f, m),
    )
    entries = {n: ScorerEntry.from_calibration(calibrations[n]) for n in available}
    by_name = {s.name: s for s in scorers}
    for scorer in scorers:
        by_name |= scorer.components()
    if defects is not None:
        for scorer_name, scorer in by_name.items():
            entries[scorer_name].defect_scores = defect_scores(model, scorer, defects, cancel)
    profile = Profile(
        name=name,
        notes=notes,
        preprocessing=preprocessing_of(model_config),
        default_scorer=default_scorer,
        scorers=entries,
        training={
            "images": str(Path(images).resolve()),
            "train_images": list(good.train_names),
            "held_back_images": list(good.held_back_names),
            "held_back_folder": str(Path(held_back).resolve()) if held_back else None,
            "camera_variation": {
                "parts": list(variation.parts),
                "training_renderings": train_config.training_renderings,
                "calibration_renderings": train_config.calibration_renderings,
            },
            "skipped": [list(s) for s in good.skipped],
            "defect_images": str(defects) if defects else None,
            "steps": report.steps,
            "seconds": round(report.seconds, 1),
            "final_loss": report.final_loss,
            "losses": list(report.losses[:: max(1, len(report.losses) // 200)]),
            "device": describe_device(device),
            "space": model_config.space,
            **model.describe(),
            "batch_size": train_config.batch_size,
            "learning_rate": train_config.learning_rate,
        },
    )
    profile.inspection = {k: v for k, v in (inspection or {}).items() if k != "mask"}
    if selftest:
        profile.selftest = profile_selftest(
            profile, model, by_name[default_scorer], mask, cancel=cancel,
            progress=lambda fraction, message: overall(SELFTEST_START + (1 - SELFTEST_START) * fraction, message),
        )
    profile.record("created", f"trained {report.steps} steps on {len(good.train_names)} good images from {images}")
    return PreparedProfile(profile, model, by_name, report.resumed_from_step, mask)


def defect_scores(model: RadarModel, scorer: Scorer, folder: Path, cancel: CancelToken | None = None) -> list[float]:
    """Scores of the readable images in a folder of defect examples (unreadable ones are left out)."""
    inspector = Inspector(model, scorer, Thresholds(review=float("inf"), nok=float("inf")))
    outcomes = scan_files(inspector, list_images(folder), cancel=cancel)
    return [o.result.score for o in outcomes if o.result is not None]


def save_prepared(prepared: PreparedProfile, replace: bool = False) -> Profile:
    """Put a prepared profile into the store and drop its training checkpoint."""
    name = prepared.profile.name
    target = profile_path(name)
    if target.exists() and not replace:
        raise ProfileError(f"a profile named {name!r} already exists (choose another name, or replace it)")
    saved = save_profile(prepared.profile, prepared.model, prepared.scorers, target, prepared.mask)
    discard_checkpoint(checkpoints_dir() / name)
    return saved
