"""Single-step inspection of images: preprocessing, one forward pass, scoring, and verdicts."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import torch

from radar_desktop.core.records import InspectionResult, Timings
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.model import RadarModel
from radar_desktop.engine.preprocess import Placement, to_original_size, to_working
from radar_desktop.engine.scorers import Scorer
from radar_desktop.engine.single_step import ForwardOutput, single_step


def working_batch(images: Sequence[np.ndarray], model: RadarModel) -> tuple[torch.Tensor, list[Placement]]:
    """Stack (H, W, C) float images into one (B, C, S, S) tensor at the model's working size."""
    converted = [to_working(image, model.config) for image in images]
    return torch.from_numpy(np.stack([c[0] for c in converted])), [c[1] for c in converted]


def forward_for(
    model: RadarModel, batch: torch.Tensor, scorers: Iterable[Scorer], placements: Sequence[Placement] | None = None
) -> ForwardOutput:
    """The single forward pass, computing only what the scorers read (block features, predicted noise)."""
    scorers = list(scorers)
    return single_step(
        model,
        batch,
        placements,
        with_features=any(s.reads_features for s in scorers),
        with_noise=any(s.reads_noise for s in scorers),
    )


def batches(items: Sequence, size: int) -> Iterator[Sequence]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Inspector:
    """Inspects images with one model, one scorer and its thresholds."""

    def __init__(self, model: RadarModel, scorer: Scorer, thresholds: Thresholds) -> None:
        self.model = model
        self.scorer = scorer
        self.thresholds = thresholds

    def inspect(self, images: Sequence[np.ndarray], sources: Sequence[str]) -> list[InspectionResult]:
        """One result per image; maps are returned at each image's own resolution."""
        began = time.perf_counter()
        batch, placements = working_batch(images, self.model)
        prepared = time.perf_counter()
        output = forward_for(self.model, batch, [self.scorer], placements)
        if self.model.device.type == "cuda":
            torch.cuda.synchronize()
        forwarded = time.perf_counter()
        maps, scores = self.scorer.score(self.model, output)
        full_maps = [to_original_size(m, p) for m, p in zip(maps, placements)]
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
                verdict=self.thresholds.verdict(float(score)),
                timings=timings,
            )
            for source, full_map, score in zip(sources, full_maps, scores)
        ]
