"""How long one working square takes on this machine: the time a working resolution will cost per image."""

from __future__ import annotations

import time

import numpy as np
import torch

from radar_desktop.engine.config import ModelConfig
from radar_desktop.engine.models.spaces import create_model

#: Timed passes after one warm-up; the median is kept.
REPEATS = 3


def ms_per_square(config: ModelConfig, device: torch.device, batch: int = 4) -> float:
    """Milliseconds per working square of the single forward pass a profile of ``config`` runs (the
    fused default's features and clean step), in batches of ``batch`` squares, on ``device``.

    The weights are fresh (speed does not depend on training); the memory bank's search, which a
    trained profile adds, is not in it.
    """
    model = create_model(config).to(device).for_inference()
    squares = torch.from_numpy(np.random.default_rng(0).random((batch, config.channels, config.image_size, config.image_size), np.float32))
    times = []
    with torch.inference_mode():
        for _ in range(REPEATS + 1):
            began = time.perf_counter()
            model.single_step(squares, None, with_features=True, with_noise=False, with_clean_step=config.space == "encoder")
            if device.type == "cuda":
                torch.cuda.synchronize()
            times.append((time.perf_counter() - began) * 1000 / batch)
    return float(np.median(times[1:]))
