"""Single-step inspection of images: preprocessing, one forward pass, scoring, and verdicts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from radar_desktop.core.acceptance import Judgement
from radar_desktop.core.inspection_plan import InspectionPlan
from radar_desktop.core.records import InspectionResult, Timings
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.preprocess import Placement, to_shape
from radar_desktop.engine.scorers.base import Scorer
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.tiling import TileGrid, working_squares

log = logging.getLogger(__name__)

OUT_OF_MEMORY_MARKERS = ("out of memory", "can't allocate memory", "not enough memory")


class InspectionOutOfMemory(Exception):
    """Not even one image fits in memory, on the CPU either; the message says so for the user."""


def is_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` is torch running out of memory (CUDA, MPS or the CPU allocator)."""
    if isinstance(error, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(error, RuntimeError) and any(m in str(error).lower() for m in OUT_OF_MEMORY_MARKERS)


def release_cached_memory(device: torch.device) -> None:
    """Hand the allocator's cached blocks back, so the retry starts from what is really free."""
    if device.type == "cuda":
        torch.cuda.empty_cache()
    elif device.type == "mps":
        torch.mps.empty_cache()


@dataclass(frozen=True)
class WorkingBatch:
    """Images as the model sees them: working squares, where each one's content lies, how tiles make up
    images (None: one square per image), and each image's own shape to bring its map back to."""

    pixels: torch.Tensor  # (squares, C, S, S), float 0..1
    placements: list[Placement]
    grids: tuple[TileGrid, ...] | None
    shapes: list[tuple[int, int]]


def working_batch(images: Sequence[np.ndarray], model: RadarModel) -> WorkingBatch:
    """(H, W, C) float images as one batch of working squares (one per image, or each image's tiles)."""
    converted = [working_squares(image, model.config) for image in images]
    grids = tuple(grid for _, _, grid in converted) if model.config.resize_mode == "tiles" else None
    return WorkingBatch(
        torch.from_numpy(np.concatenate([squares for squares, _, _ in converted])),
        [placement for _, placements, _ in converted for placement in placements],
        grids,
        [image.shape[:2] for image in images],
    )


def forward_for(
    model: RadarModel,
    batch: torch.Tensor,
    scorers: Iterable[Scorer],
    placements: Sequence[Placement] | None = None,
    grids: tuple[TileGrid, ...] | None = None,
) -> ForwardOutput:
    """The single forward pass of either space, computing only what the scorers read (features, the noised
    step's noise, the deterministic clean step); ``grids`` say how the squares make up images when they
    are tiles."""
    scorers = list(scorers)
    output = model.single_step(
        batch,
        placements,
        with_features=any(s.reads_features for s in scorers),
        with_noise=any(s.reads_noise for s in scorers),
        with_clean_step=any(s.reads_clean_step for s in scorers),
    )
    return output if grids is None else replace(output, grids=grids)


def forward_batch(model: RadarModel, batch: WorkingBatch, scorers: Iterable[Scorer]) -> ForwardOutput:
    """:func:`forward_for` of a :class:`WorkingBatch`."""
    return forward_for(model, batch.pixels, scorers, batch.placements, batch.grids)


def batches(items: Sequence, size: int) -> Iterator[Sequence]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Inspector:
    """Inspects images with one model, one scorer and its thresholds.

    A ``plan`` masks each map before pooling, measures flagged images' regions and applies the acceptance
    rules. Running out of memory never ends a job: the batch is halved until one image at a time, then the
    model moves to the CPU. What was given up is remembered for later calls and told to ``on_notice``.
    """

    def __init__(
        self,
        model: RadarModel,
        scorer: Scorer,
        thresholds: Thresholds,
        on_notice: Callable[[str], None] = log.warning,
        plan: InspectionPlan | None = None,
    ) -> None:
        self.model = model
        self.scorer = scorer
        self.thresholds = thresholds
        self.on_notice = on_notice
        self.plan = plan
        self.max_batch: int | None = None

    def inspect(self, images: Sequence[np.ndarray], sources: Sequence[str]) -> list[InspectionResult]:
        """One result per image; maps are returned at each image's own resolution.

        Raises :class:`InspectionOutOfMemory` when one of the images does not fit even on the CPU.
        """
        results: list[InspectionResult] = []
        while len(results) < len(images):
            start = len(results)
            end = start + (self.max_batch or len(images))  # a fallback inside the loop shrinks the next batch
            results.extend(self._inspect_fitting(images[start:end], sources[start:end]))
        return results

    def _inspect_fitting(self, images: Sequence[np.ndarray], sources: Sequence[str]) -> list[InspectionResult]:
        device = self.model.device
        try:
            return self._inspect_batch(images, sources)
        except RuntimeError as error:
            if not is_out_of_memory(error):
                raise
        # retried outside the except block, so the failed attempt's tensors are already freed
        release_cached_memory(device)
        if len(images) > 1:
            self.max_batch = len(images) // 2
            self.on_notice(f"Out of memory on {device.type.upper()} with {len(images)} images at once; "
                           f"continuing with {self.max_batch} at a time.")
            return self.inspect(images, sources)
        if device.type != "cpu":
            self.model.to(torch.device("cpu"))
            self.on_notice(f"Out of memory on {device.type.upper()} even for one image; continuing on the CPU (slower).")
            return self._inspect_fitting(images, sources)
        raise InspectionOutOfMemory("not enough memory to inspect this image, even one at a time on the CPU")

    def _inspect_batch(self, images: Sequence[np.ndarray], sources: Sequence[str]) -> list[InspectionResult]:
        began = time.perf_counter()
        batch = working_batch(images, self.model)
        prepared = time.perf_counter()
        output = forward_batch(self.model, batch, [self.scorer])
        if self.model.device.type == "cuda":
            torch.cuda.synchronize()
        forwarded = time.perf_counter()
        maps, scores, parts = self.scorer.score_with_parts(self.model, output, self.plan.mask if self.plan else None)
        full_maps = [to_shape(m, shape) for m, shape in zip(maps, batch.shapes)]
        judgements = [self._judge(m, float(s)) for m, s in zip(full_maps, scores)]
        done = time.perf_counter()
        share = 1000.0 / len(images)
        timings = Timings(
            preprocess_ms=(prepared - began) * share,
            forward_ms=(forwarded - prepared) * share,
            score_ms=(done - forwarded) * share,
        )
        return [
            InspectionResult(
                source=source,
                scorer=self.scorer.name,
                anomaly_map=full_map,
                score=float(score),
                verdict=judgement.verdict,
                timings=timings,
                regions=judgement.regions,
                rule=judgement.rule,
                parts=image_parts,
            )
            for source, full_map, score, judgement, image_parts in zip(sources, full_maps, scores, judgements, parts)
        ]

    def _judge(self, full_map: np.ndarray, score: float) -> Judgement:
        verdict = self.thresholds.verdict(score)
        return self.plan.judge(full_map, verdict) if self.plan else Judgement(verdict, ())
