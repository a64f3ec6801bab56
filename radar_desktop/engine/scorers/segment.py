"""The defect head: a small segmenter on U-Net features, trained on good images with synthetic defects."""

from __future__ import annotations

import numpy as np
import torch

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.engine.config import TrainConfig
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.scorers.base import Scorer, blurred
from radar_desktop.engine.scorers.defect_head import DefectHead, train_defect_head


class SegmentScorer(Scorer):
    """A small head, trained on good images with synthetic defects, segments the single-step features."""

    name = "segment"
    label = "defect head"
    description = "defect head on the single-step features, trained on synthetic defects in good images"
    reads_features = True
    reads_noise = False

    def __init__(self, max_seconds: float | None = 120.0, max_steps: int | None = None) -> None:
        super().__init__()
        self.max_seconds, self.max_steps = max_seconds, max_steps
        self._good: list[torch.Tensor] = []
        self._model: RadarModel | None = None
        self.head: DefectHead | None = None

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        self._model = model
        self._good.append(((output.images + 1) * 127.5).round().to(torch.uint8).cpu())

    @classmethod
    def for_training(cls, settings: TrainConfig) -> "SegmentScorer":
        seconds, steps = settings.head_budget()
        return cls(max_seconds=seconds, max_steps=steps)

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        good = torch.cat(self._good).numpy()
        self.head = train_defect_head(
            self._model, good, max_seconds=self.max_seconds, max_steps=self.max_steps, cancel=cancel, progress=progress
        )
        self._good, self._model = [], None

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        if self.head is None:
            raise RuntimeError("the segment scorer has no trained head yet")
        self.head = self.head.to(output.features.device)
        return blurred(self.head.probabilities(output.features, output.images))

    def state(self) -> dict[str, np.ndarray]:
        return {k: v.cpu().contiguous().numpy() for k, v in self.head.state_dict().items()} if self.head else {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.head = DefectHead.from_state({k: torch.from_numpy(v) for k, v in state.items()})
