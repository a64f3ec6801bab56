"""The default scorer of the encoder space: the memory bank and RADAR's clean step, summed on one scale."""

from __future__ import annotations

import numpy as np

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.engine.config import TrainConfig
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.scorers.base import Scorer
from radar_desktop.engine.scorers.memory_bank import FeatureScorer
from radar_desktop.engine.scorers.noise import CleanStepScorer


class FusedScorer(Scorer):
    """The memory bank and RADAR's clean step read together, so every verdict reads the diffusion pass.

    Each part's map is on good pixels' scale (its edge statistics make it z-scores of good training maps
    at the same distance from the edges), so the two add up on one scale; the sum is pooled and
    calibrated as any map is. Each part is calibrated on its own too, so a score can be told by its parts,
    and is saved as the scorer of its own name (:meth:`components`); this one's state is its pooling.
    """

    name = "fused"
    label = "fused"
    description = "memory bank + RADAR single step: each map as z-scores of good maps, summed"
    #: the parts, by the names they are calibrated and saved under
    PARTS: dict[str, type[Scorer]] = {"features": FeatureScorer, "radar": CleanStepScorer}

    def __init__(self, parts: dict[str, Scorer] | None = None) -> None:
        super().__init__()
        self.parts = parts if parts is not None else {name: kind() for name, kind in self.PARTS.items()}

    @classmethod
    def for_training(cls, settings: TrainConfig) -> "FusedScorer":
        return cls({name: kind.for_training(settings) for name, kind in cls.PARTS.items()})

    @property
    def reads_features(self) -> bool:
        return any(part.reads_features for part in self.parts.values())

    @property
    def reads_noise(self) -> bool:
        return any(part.reads_noise for part in self.parts.values())

    @property
    def reads_clean_step(self) -> bool:
        return any(part.reads_clean_step for part in self.parts.values())

    def use_pooling(self, pooling: str) -> "FusedScorer":
        for part in self.parts.values():
            part.use_pooling(pooling)
        super().use_pooling(pooling)
        return self

    def use_edge_statistics(self, band: int) -> "FusedScorer":
        """The parts learn the edges; their sum is on good pixels' scale already."""
        for part in self.parts.values():
            part.use_edge_statistics(band)
        return self

    @property
    def learns_edges(self) -> bool:
        return any(part.learns_edges for part in self.parts.values())

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        for part in self.parts.values():
            part.observe_good(model, output)

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        for part in self.parts.values():
            part.finish_good(cancel, progress)

    def observe_edges(self, model: RadarModel, output: ForwardOutput) -> None:
        for part in self.parts.values():
            if part.learns_edges:
                part.observe_edges(model, output)

    def finish_edges(self) -> None:
        for part in self.parts.values():
            if part.learns_edges:
                part.finish_edges()

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        return np.sum([part.read_maps(model, output) for part in self.parts.values()], axis=0)

    def _part_maps(self, model: RadarModel, output: ForwardOutput) -> dict[str, list[np.ndarray]]:
        return {name: part.content_maps(model, output) for name, part in self.parts.items()}

    @staticmethod
    def _fuse(part_maps: dict[str, list[np.ndarray]]) -> list[np.ndarray]:
        return [np.sum(maps, axis=0) for maps in zip(*part_maps.values())]

    def content_maps(self, model: RadarModel, output: ForwardOutput) -> list[np.ndarray]:
        return self._fuse(self._part_maps(model, output))

    def score_with_parts(
        self, model: RadarModel, output: ForwardOutput, mask: np.ndarray | None = None
    ) -> tuple[list[np.ndarray], np.ndarray, list[dict[str, float]]]:
        """The fused maps and scores, and each part's own score (0 a typical good part, 1 its NOK line)."""
        part_maps = self._part_maps(model, output)
        block = model.config.image_size
        maps, scores = self.score_maps(self._fuse(part_maps), mask, block)
        by_part = {part.label: part.score_maps(part_maps[name], mask, block)[1] for name, part in self.parts.items()}
        return maps, scores, [{label: float(values[i]) for label, values in by_part.items()} for i in range(len(maps))]

    def observe_calibration(self, model: RadarModel, output: ForwardOutput) -> None:
        part_maps = self._part_maps(model, output)
        block = model.config.image_size
        for name, part in self.parts.items():
            part.observe_calibration_maps(part_maps[name], block)
        self.observe_calibration_maps(self._fuse(part_maps), block)

    def part_labels(self) -> tuple[str, ...]:
        return tuple(part.label for part in self.parts.values())

    def components(self) -> dict[str, Scorer]:
        return dict(self.parts)
