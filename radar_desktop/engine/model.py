"""The RADAR model: a diffusers ``UNet2DModel`` noise predictor and its ``DDPMScheduler``."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local: never reach for a hub

import torch
from diffusers import DDPMScheduler, UNet2DModel

from radar_desktop.engine.config import ModelConfig

CONFIG_FILE = "radar_config.json"


def build_unet(config: ModelConfig) -> UNet2DModel:
    """A fresh, seeded U-Net with self-attention at the levels the config names."""
    torch.manual_seed(config.seed)
    down = tuple("AttnDownBlock2D" if a else "DownBlock2D" for a in config.attention_levels)
    up = tuple("AttnUpBlock2D" if a else "UpBlock2D" for a in reversed(config.attention_levels))
    return UNet2DModel(
        sample_size=config.patch_size,
        in_channels=config.channels,
        out_channels=config.channels,
        block_out_channels=config.block_out_channels,
        down_block_types=down,
        up_block_types=up,
        layers_per_block=config.layers_per_block,
        norm_num_groups=config.norm_num_groups,
        attention_head_dim=config.attention_head_dim,
    )


def build_scheduler(config: ModelConfig) -> DDPMScheduler:
    return DDPMScheduler(num_train_timesteps=config.num_train_timesteps, beta_schedule=config.beta_schedule)


class RadarModel:
    """A U-Net, its noise schedule and the config they were built from, on one device."""

    def __init__(self, config: ModelConfig, unet: UNet2DModel, scheduler: DDPMScheduler) -> None:
        self.config = config
        self.unet = unet
        self.scheduler = scheduler
        alphas = scheduler.alphas_cumprod.to(torch.float32)
        self.alphas_cumprod = alphas

    @classmethod
    def create(cls, config: ModelConfig) -> "RadarModel":
        return cls(config, build_unet(config), build_scheduler(config))

    @property
    def device(self) -> torch.device:
        return next(self.unet.parameters()).device

    def to(self, device: torch.device) -> "RadarModel":
        self.unet.to(device)
        return self

    def for_inference(self) -> "RadarModel":
        """Evaluation mode with channels-last weights (oneDNN convolutions measured ~1.5x faster on CPU)."""
        self.unet.eval()
        self.unet.to(memory_format=torch.channels_last)
        return self

    def for_training(self) -> "RadarModel":
        """Training mode with the default layout (channels-last measured no faster for training)."""
        self.unet.train()
        self.unet.to(memory_format=torch.contiguous_format)
        return self

    def save(self, folder: Path) -> None:
        """Write ``radar_config.json``, ``unet/`` (safetensors) and ``scheduler/`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        self.config.save(folder / CONFIG_FILE)
        self.unet.save_pretrained(folder / "unet", safe_serialization=True)
        self.scheduler.save_pretrained(folder / "scheduler")

    @classmethod
    def load(cls, folder: Path, device: torch.device | None = None) -> "RadarModel":
        """Load a model saved by :meth:`save`; only safetensors weights are read."""
        config = ModelConfig.load(folder / CONFIG_FILE)
        unet = UNet2DModel.from_pretrained(
            folder / "unet", use_safetensors=True, local_files_only=True, low_cpu_mem_usage=False
        )
        scheduler = DDPMScheduler.from_pretrained(folder / "scheduler", local_files_only=True)
        model = cls(config, unet, scheduler).for_inference()
        return model.to(device) if device is not None else model
