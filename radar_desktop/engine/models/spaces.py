"""The one place that says which model kind serves which space, and creates or loads it."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from radar_desktop.engine.config import ModelConfig
from radar_desktop.engine.models.diffusion import CONFIG_FILE
from radar_desktop.engine.models.features import FeatureRadarModel
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.models.pixel import PixelRadarModel

#: The model kind of each space: the denoiser in the pretrained encoder's features, or the pixel U-Net.
KINDS: dict[str, type[RadarModel]] = {"encoder": FeatureRadarModel, "pixel": PixelRadarModel}


def model_class(space: str) -> type[RadarModel]:
    """The model kind of a space (a config's space is validated when it is made)."""
    return KINDS[space]


def create_model(config: ModelConfig) -> RadarModel:
    """A fresh, seeded model of the config's space."""
    return model_class(config.space).create(config)


def load_model(folder: Path, device: torch.device | None = None) -> RadarModel:
    """Load a model folder written by either kind's ``save`` (its config says which)."""
    config = ModelConfig.load(folder / CONFIG_FILE)
    return model_class(config.space).load(folder, config, device)


def model_record(model: RadarModel) -> dict:
    """The model's settings and what it cites (the pretrained encoder and its weights' hash), for reports."""
    return {**asdict(model.config), **model.describe()}

