"""Fitting scorers on good training images and calibrating their thresholds on held-back ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.inspection import forward_for
from radar_desktop.engine.model import RadarModel
from radar_desktop.engine.preprocess import Placement
from radar_desktop.engine.scorers import Scorer


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
        for start in range(0, len(group.pixels), batch_size):
            cancel.raise_if_cancelled()
            chunk = group.pixels[start : start + batch_size]
            batch = torch.from_numpy(chunk).float() / 255.0
            output = forward_for(model, batch, scorers, group.placements[start : start + batch_size])
            for scorer in scorers:
                observe(scorer, output)
            seen += len(chunk)
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


def _calibrate_until_capped(model: RadarModel):
    """An observer that stops feeding a scorer once it has seen its cap of held-back images."""

    def observe(scorer: Scorer, output) -> None:
        cap = scorer.max_calibration_images
        if cap is None or scorer.calibrated_count < cap:
            scorer.observe_calibration(model, output)

    return observe
