"""The protocol both model kinds implement: what training, the scorers and the jobs may ask of a model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, Self

import torch

from radar_desktop.engine.config import ModelConfig
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.preprocess import Placement


class RadarModel(Protocol):
    """A noise predictor, its DDPM schedule and the config they were built from, on one device.

    Implemented by :class:`~radar_desktop.engine.models.pixel.PixelRadarModel` (a U-Net on image patches)
    and :class:`~radar_desktop.engine.models.features.FeatureRadarModel` (a denoiser of a frozen encoder's
    feature maps); :mod:`radar_desktop.engine.models.spaces` says which kind serves which space.
    """

    config: ModelConfig
    alphas_cumprod: torch.Tensor

    @classmethod
    def create(cls, config: ModelConfig) -> Self:
        """A fresh, seeded model."""

    @classmethod
    def load(cls, folder: Path, config: ModelConfig, device: torch.device | None = None) -> Self:
        """A model written by :meth:`save`, ready for inference (only safetensors weights are read)."""

    def save(self, folder: Path) -> None:
        """Write the config, the weights (safetensors) and the schedule into ``folder``."""

    @property
    def device(self) -> torch.device: ...

    def to(self, device: torch.device) -> Self: ...

    def for_inference(self) -> Self: ...

    def for_training(self) -> Self: ...

    def trainable(self) -> torch.nn.Module:
        """The network the DDPM objective trains."""

    def training_data(self, images: torch.Tensor) -> Any:
        """What training samples from, given uint8 working images (N, C, S, S); the loop only passes it back."""

    def sample_batch(self, data: Any, items: int, generator: torch.Generator) -> torch.Tensor:
        """A batch of clean training samples drawn from :meth:`training_data`'s result."""

    def predict(self, noisy: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """The predicted noise of a noised training batch."""

    def finish_training(self, data: Any) -> None:
        """Settle what the trained network needs before inference."""

    def single_step(
        self,
        images: torch.Tensor,
        placements: tuple[Placement, ...] | None,
        *,
        with_features: bool,
        with_noise: bool,
        with_clean_step: bool = False,
    ) -> ForwardOutput:
        """The RADAR forward pass over working images (B, C, S, S in 0..1): one noising step, one pass."""

    def reconstruction_error(self, images: torch.Tensor, start_t: int, steps: int) -> torch.Tensor:
        """(B, S, S) error of a DDIM reconstruction of working images in -1..1 (the baseline RADAR replaces)."""

    def describe(self) -> dict:
        """What a profile and a report cite of this model's space."""
