"""Fitting scorers on good training images and calibrating their thresholds on held-back ones."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import torch

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.inspection import forward_for
from radar_desktop.engine.model import RadarModel
from radar_desktop.engine.preprocess import Placement
from radar_desktop.engine.scorers import Scorer
from radar_desktop.engine.single_step import ForwardOutput


@dataclass(frozen=True)
class WorkingImages:
    """Images at working size (N, C, S, S, uint8) and where each one's content lies."""

    pixels: np.ndarray
    placements: tuple[Placement, ...]

    def subset(self, indices: list[int]) -> "WorkingImages":
        return WorkingImages(self.pixels[indices], tuple(self.placements[i] for i in indices))


@dataclass(frozen=True)
class Calibration:
    """A scorer's thresholds and the held-back good scores they came from."""

    thresholds: Thresholds
    good_scores: np.ndarray
    map_range: tuple[float, float]
    score_is_map_peak: bool = True  # else the map is outlined at the largest value seen on good images


def fit_scorers(
    model: RadarModel,
    scorers: list[Scorer],
    good: WorkingImages,
    held_back: WorkingImages,
    *,
    batch_size: int = 8,
    finishing_share: float = 0.0,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> dict[str, Calibration]:
    """Teach every scorer from ``good`` images and calibrate it on ``held_back`` ones.

    Each batch goes through the U-Net once, whichever scorers read it. ``finishing_share`` is the part
    of the progress bar given to the scorers' finishing step (the defect head trains there).
    """
    cancel = cancel or CancelToken()
    images = len(good.pixels) + len(held_back.pixels)
    finishing = images * finishing_share / (1.0 - finishing_share)  # progress units; one per image
    total = images + finishing
    seen, finished = 0, 0.0

    def report(message: str) -> None:
        progress((seen + finished * finishing) / total, message)

    def run(group: WorkingImages, phase: str, observe) -> None:
        nonlocal seen
        for count, output in _forward_batches(model, scorers, group, batch_size, cancel):
            for scorer in scorers:
                observe(scorer, output)
            seen += count
            report(f"{phase}: {seen}/{images} images")

    def finishing_progress(fraction: float, message: str) -> None:
        nonlocal finished
        finished = fraction
        report(message)

    run(good, "learning from good images", lambda scorer, output: scorer.observe_good(model, output))
    for scorer in scorers:
        scorer.finish_good(cancel, finishing_progress)
    finished = 1.0
    run(held_back, "calibrating thresholds", _calibrate_until_capped(model))
    calibrations = {}
    for scorer in scorers:
        thresholds, scores = scorer.finish_calibration()
        calibrations[scorer.name] = Calibration(thresholds, scores, scorer.map_range(), scorer.score_is_map_peak)
    return calibrations


def held_back_scores(
    model: RadarModel,
    scorers: list[Scorer],
    images: WorkingImages,
    *,
    seen: Mapping[str, int],
    batch_size: int = 8,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> dict[str, np.ndarray]:
    """Scores of more held-back good images by scorers calibrated already, as calibration scores them.

    Whole images (calibration ignores the inspection mask, so a mask can only lower good scores), and
    each scorer fed up to its cap counting the ``seen`` images it was calibrated on; capped scorers get
    fewer scores, or none.
    """
    cancel = cancel or CancelToken()
    scores: dict[str, list[float]] = {scorer.name: [] for scorer in scorers}
    done = 0
    for count, output in _forward_batches(model, scorers, images, batch_size, cancel):
        for scorer in scorers:
            room = _room(scorer, seen.get(scorer.name, 0) + len(scores[scorer.name]))
            if room:
                _, batch_scores = scorer.score(model, output)
                scores[scorer.name].extend(float(s) for s in batch_scores[:room])
        done += count
        progress(done / len(images.pixels), f"scoring good images: {done}/{len(images.pixels)}")
    return {name: np.asarray(values, dtype=np.float64) for name, values in scores.items()}


def _forward_batches(
    model: RadarModel, scorers: list[Scorer], group: WorkingImages, batch_size: int, cancel: CancelToken
) -> Iterator[tuple[int, ForwardOutput]]:
    """The shared forward pass of each batch of ``group`` and how many images it holds; cancellable between batches."""
    for start in range(0, len(group.pixels), batch_size):
        cancel.raise_if_cancelled()
        chunk = group.pixels[start : start + batch_size]
        batch = torch.from_numpy(chunk).float() / 255.0
        yield len(chunk), forward_for(model, batch, scorers, group.placements[start : start + batch_size])


def _room(scorer: Scorer, seen: int) -> int:
    """How many more held-back images ``scorer`` takes after ``seen`` of them (slow scorers have a cap)."""
    cap = scorer.max_calibration_images
    return sys.maxsize if cap is None else max(0, cap - seen)


def _calibrate_until_capped(model: RadarModel):
    """An observer that stops feeding a scorer once it has seen its cap of held-back images."""

    def observe(scorer: Scorer, output) -> None:
        if _room(scorer, scorer.calibrated_count):
            scorer.observe_calibration(model, output)

    return observe
