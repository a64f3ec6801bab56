"""Scorers of the diffusion step's noise: the noised step's residual and RADAR's deterministic clean step."""

from __future__ import annotations

import numpy as np
import torch.nn.functional as F

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.scorers.base import Scorer, blurred


class ResidualScorer(Scorer):
    """Squared error between predicted and injected noise, as z-scores of good-image statistics."""

    name = "residual"
    label = "noised step"
    description = "noise residual normalised by good-image statistics"

    def __init__(self) -> None:
        super().__init__()
        self._sums = np.zeros(3)  # count, sum, sum of squares
        self.mean, self.std = 0.0, 1.0

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        maps = blurred(output.noise_error)
        self._sums += [maps.size, maps.sum(), (maps.astype(np.float64) ** 2).sum()]

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        count, total, squares = self._sums
        self.mean = total / count
        self.std = max(np.sqrt(max(squares / count - self.mean**2, 0.0)), 1e-12)

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        return (blurred(output.noise_error) - self.mean) / self.std

    def state(self) -> dict[str, np.ndarray]:
        return {"mean_std": np.array([self.mean, self.std])}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.mean, self.std = (float(v) for v in state["mean_std"])


class CleanStepScorer(Scorer):
    """RADAR's deterministic single step: how much noise the denoiser sees in the clean features.

    The features are scaled to step t as the forward process would scale them, but no noise is added; the
    denoiser's predicted noise is then near zero where the part looks as it learnt normal parts look, and
    grows with how far, and which way, a feature vector sits off that. Its squared length, averaged over
    channels, is the map. (The noised step's error adds the injected noise's variance to every location.)
    """

    name = "radar"
    label = "RADAR step"
    description = "RADAR single step: the denoiser's predicted noise for the clean features scaled to step t, no noise injected"
    reads_noise = False
    reads_clean_step = True

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        energy = (output.clean_noise.float() ** 2).mean(dim=1, keepdim=True)
        return blurred(F.interpolate(energy, size=output.images.shape[-1], mode="bilinear", align_corners=False)[:, 0])
