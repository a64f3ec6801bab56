"""What both model kinds share of DDPM: the noise schedule, forward noising, DDIM timesteps, autocast."""

from __future__ import annotations

import contextlib
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local: never reach for a hub

import numpy as np
import torch
from diffusers import DDPMScheduler

from radar_desktop.engine.config import ModelConfig

#: The config file every model folder holds; it names the folder's space, so the kind that reads it.
CONFIG_FILE = "radar_config.json"


def build_scheduler(config: ModelConfig) -> DDPMScheduler:
    return DDPMScheduler(num_train_timesteps=config.num_train_timesteps, beta_schedule=config.beta_schedule)


def noised(x0: torch.Tensor, noise: torch.Tensor, alpha_cumprod: torch.Tensor) -> torch.Tensor:
    """Forward diffusion of clean ``x0`` with the given noise to the step whose cumulative alpha is given."""
    alpha = alpha_cumprod.to(x0.device)
    return alpha.sqrt() * x0 + (1 - alpha).sqrt() * noise


def ddim_timesteps(start_t: int, steps: int) -> list[int]:
    """Decreasing timesteps from ``start_t`` to 0 in ``steps`` DDIM updates (``steps + 1`` points)."""
    return [int(round(t)) for t in np.linspace(start_t, 0, steps + 1)]


def autocast_for(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA; full precision elsewhere."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def ddim_update(x: torch.Tensor, eps: torch.Tensor, alphas: torch.Tensor, t: int, t_next: int, *, clamp: bool) -> torch.Tensor:
    """One deterministic DDIM update of ``x`` from step ``t`` to ``t_next`` given the predicted noise
    (``clamp``: keep the estimated clean sample in -1..1, as pixels are)."""
    a_t = alphas[t]
    a_next = alphas[t_next] if t_next > 0 else torch.tensor(1.0, device=x.device)
    x0 = (x - (1 - a_t).sqrt() * eps) / a_t.sqrt()
    if clamp:
        x0 = x0.clamp(-1, 1)
    return a_next.sqrt() * x0 + (1 - a_next).sqrt() * eps
