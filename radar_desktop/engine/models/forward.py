"""What one single-step pass returns, whichever model kind ran it: every scorer reads this."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from radar_desktop.engine.preprocess import Placement
from radar_desktop.engine.tiling import TileGrid


@dataclass(frozen=True)
class ForwardOutput:
    """Stitched outputs of one single-step pass over a batch of working images (all on the model's device)."""

    images: torch.Tensor  # (B, C, S, S) in [-1, 1]
    noise_pred: torch.Tensor | None  # (B, C, S, S); None when the pass stopped at the last feature block
    noise_error: torch.Tensor | None  # (B, S, S): mean over channels of (predicted - injected)^2
    features: torch.Tensor | None  # (B, D, S / 4, S / 4), each block L2-normalised
    placements: tuple[Placement, ...]  # where each image's content lies in the working square
    #: (B, D, h, w) the noise the model predicts for the clean input scaled to step t, sqrt(a_t) x, with no
    #: noise injected (the deterministic single step; encoder space only, on its feature grid)
    clean_noise: torch.Tensor | None = None
    #: how the squares make up images when they are tiles (consecutive, ``grid.count`` per image);
    #: None: each square is one image
    grids: tuple[TileGrid, ...] | None = None
