"""The reconstruction baseline RADAR replaces, as a scorer: DDIM back from a partial noising."""

from __future__ import annotations

import numpy as np

from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.scorers.base import Scorer, blurred


class ReconScorer(Scorer):
    """Baseline RADAR replaces: noise to t = 250, DDIM back in a few steps, compare with the input."""

    name = "recon"
    label = "reconstruction"
    description = "reconstruction baseline (t = 250, DDIM)"
    max_calibration_images = 16
    reads_noise = False  # it runs its own denoising passes from the input images

    def __init__(self, steps: int = 10, start_t: int = 250) -> None:
        super().__init__()
        self.steps = steps
        self.start_t = start_t

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        return blurred(model.reconstruction_error(output.images, self.start_t, self.steps))
