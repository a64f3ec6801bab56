"""Fitting scorers on good training images and calibrating their thresholds on held-back ones."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import torch

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.engine.config import ModelConfig
from radar_desktop.engine.jobs.inspection import forward_for
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.preprocess import Placement
from radar_desktop.engine.scorers.base import Calibration, Scorer
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.tiling import TileGrid
from radar_desktop.sources.camera_variation import CameraVariation


#: Good training images shown again to scorers that learn good maps near the edges: the statistics of
#: 81 bands need a few dozen images, and 128 keep the pass to a few seconds.
EDGE_IMAGES = 128


def evenly_spaced(count: int, wanted: int) -> list[int]:
    """``wanted`` indices (fewer if ``count`` is smaller) spread evenly over ``range(count)``."""
    return sorted({int(round(i)) for i in np.linspace(0, count - 1, min(wanted, count))})


@dataclass(frozen=True)
class WorkingImages:
    """Images as working squares (N, C, S, S, uint8) and where each one's content lies; with ``grids``
    the squares are tiles, ``grid.count`` consecutive ones per image (see :mod:`engine.tiling`)."""

    pixels: np.ndarray
    placements: tuple[Placement, ...]
    grids: tuple[TileGrid, ...] | None = None

    @classmethod
    def join(cls, images: list["WorkingImages"], config: ModelConfig) -> "WorkingImages":
        """Images read one by one as one set (an empty one of ``config``'s square size when there are none)."""
        if not images:
            empty = np.zeros((0, config.channels, config.image_size, config.image_size), np.uint8)
            return cls(empty, (), () if config.resize_mode == "tiles" else None)
        grids = None if images[0].grids is None else tuple(grid for image in images for grid in image.grids)
        return cls(
            np.concatenate([image.pixels for image in images]),
            tuple(placement for image in images for placement in image.placements),
            grids,
        )

    @property
    def count(self) -> int:
        """How many images (not squares) these are."""
        return len(self.pixels) if self.grids is None else len(self.grids)

    def squares_of(self, indices: list[int]) -> list[int]:
        """The squares of the images at ``indices``."""
        if self.grids is None:
            return list(indices)
        starts = np.cumsum([0] + [grid.count for grid in self.grids])
        return [square for i in indices for square in range(starts[i], starts[i + 1])]

    def subset(self, indices: list[int]) -> "WorkingImages":
        """The images at ``indices``, with all their squares."""
        squares = self.squares_of(indices)
        grids = None if self.grids is None else tuple(self.grids[i] for i in indices)
        return WorkingImages(self.pixels[squares], tuple(self.placements[i] for i in squares), grids)

    def squares(self) -> "WorkingImages":
        """Every square as an image of its own (what training and the memory bank learn from)."""
        return WorkingImages(self.pixels, self.placements)

    def with_variation(self, variation: CameraVariation, copies: int, seed: int = 0) -> "WorkingImages":
        """These images followed by ``copies`` re-renderings of each (:class:`CameraVariation`), seeded.
        A tiled image's tiles are re-rendered one by one."""
        if copies <= 0 or not variation.parts:
            return self
        rng = np.random.default_rng(seed)
        varied = [
            variation.render(image.transpose(1, 2, 0), rng).transpose(2, 0, 1)
            for _ in range(copies)
            for image in self.pixels
        ]
        grids = None if self.grids is None else self.grids * (copies + 1)
        return WorkingImages(np.concatenate([self.pixels, np.stack(varied)]), self.placements * (copies + 1), grids)

    def batches(self, size: int) -> Iterator[tuple[int, "WorkingImages"]]:
        """Consecutive groups of whole images, about ``size`` squares each (an image of more tiles alone),
        with how many images each holds."""
        start = 0
        while start < self.count:
            end = start + 1
            if self.grids is None:
                end = min(self.count, start + size)
            else:
                tiles = self.grids[start].count
                while end < self.count and tiles + self.grids[end].count <= size:
                    tiles += self.grids[end].count
                    end += 1
            if self.grids is None:
                yield end - start, WorkingImages(self.pixels[start:end], self.placements[start:end])
            else:
                yield end - start, self.subset(list(range(start, end)))
            start = end


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
    """Teach every scorer from ``good`` images and calibrate it on ``held_back`` ones; the calibrations of
    the scorers they are made of (:meth:`Scorer.components`) come back beside theirs.

    Each batch goes through the model once, whichever scorers read it. Scorers that learn good maps near
    the edges see up to ``EDGE_IMAGES`` of the good images again once they have learnt from all of them;
    scorers that show their maps at two scales see the same images once more, their edges learnt.
    ``finishing_share`` is the part of the progress bar given to the scorers' finishing step (the defect
    head trains there).
    """
    cancel = cancel or CancelToken()
    edge_learners = [scorer for scorer in scorers if scorer.learns_edges]
    regional_learners = [scorer for scorer in scorers if scorer.learns_regional]
    edge_images = good.subset(evenly_spaced(good.count, EDGE_IMAGES if edge_learners or regional_learners else 0))
    images = good.count + edge_images.count * (bool(edge_learners) + bool(regional_learners)) + held_back.count
    finishing = images * finishing_share / (1.0 - finishing_share)  # progress units; one per image
    total = images + finishing
    seen, finished = 0, 0.0

    def report(message: str) -> None:
        progress((seen + finished * finishing) / total, message)

    def run(group: WorkingImages, phase: str, observe, readers: list[Scorer] = scorers) -> None:
        nonlocal seen
        for count, output in _forward_batches(model, readers, group, batch_size, cancel):
            for scorer in readers:
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
    if edge_learners:
        run(edge_images, "learning good maps at the edges", lambda scorer, output: scorer.observe_edges(model, output), edge_learners)
        for scorer in edge_learners:
            scorer.finish_edges()
    if regional_learners:
        run(edge_images, "learning good maps at a larger scale", lambda scorer, output: scorer.observe_regional(model, output), regional_learners)
        for scorer in regional_learners:
            scorer.finish_regional()
    run(held_back, "calibrating thresholds", _calibrate_until_capped(model))
    calibrations = {}
    for scorer in scorers:
        calibrations |= {name: part.calibration() for name, part in scorer.components().items()}
        calibrations[scorer.name] = scorer.calibration()
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
        progress(done / images.count, f"scoring good images: {done}/{images.count}")
    return {name: np.asarray(values, dtype=np.float64) for name, values in scores.items()}


def _forward_batches(
    model: RadarModel, scorers: list[Scorer], group: WorkingImages, batch_size: int, cancel: CancelToken
) -> Iterator[tuple[int, ForwardOutput]]:
    """The shared forward pass of each batch of ``group`` and how many images it holds; cancellable between batches."""
    for count, chunk in group.batches(batch_size):
        cancel.raise_if_cancelled()
        batch = torch.from_numpy(chunk.pixels).float() / 255.0
        yield count, forward_for(model, batch, scorers, chunk.placements, chunk.grids)


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
