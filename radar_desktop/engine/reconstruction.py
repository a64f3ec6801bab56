"""The reconstruction baseline: partial noising then deterministic DDIM denoising with the same U-Net."""

from __future__ import annotations

import numpy as np
import torch

from radar_desktop.engine.model import RadarModel
from radar_desktop.engine.patches import extract_patches, patch_count, stitch_patches
from radar_desktop.engine.single_step import autocast_for, noise_patches, patch_noise, patches_per_pass


def ddim_timesteps(start_t: int, steps: int) -> list[int]:
    """Decreasing timesteps from ``start_t`` to 0 in ``steps`` DDIM updates (``steps + 1`` points)."""
    return [int(round(t)) for t in np.linspace(start_t, 0, steps + 1)]


@torch.inference_mode()
def reconstruct(
    model: RadarModel, images: torch.Tensor, *, start_t: int = 250, steps: int = 10
) -> torch.Tensor:
    """Reconstruct working images (B, C, S, S in -1..1) patch by patch; returns the same shape."""
    config = model.config
    device = model.device
    batch = images.shape[0]
    per_image = patch_count(config.image_size, config.patch_size, config.stride) ** 2
    patches = extract_patches(images.to(device), config.patch_size, config.stride)
    noise = patch_noise(model, per_image).repeat(batch, 1, 1, 1)
    x = noise_patches(model, patches, noise, start_t).contiguous(memory_format=torch.channels_last)
    alphas = model.alphas_cumprod.to(device)
    schedule = ddim_timesteps(start_t, steps)
    restored = []
    chunk_size = patches_per_pass(device)
    for start in range(0, x.shape[0], chunk_size):
        chunk = x[start : start + chunk_size]
        for t, t_next in zip(schedule[:-1], schedule[1:]):
            steps_t = torch.full((chunk.shape[0],), t, device=device, dtype=torch.long)
            with autocast_for(device):
                eps = model.unet(chunk, steps_t).sample.float()
            a_t, a_next = alphas[t], alphas[t_next] if t_next > 0 else torch.tensor(1.0, device=device)
            x0 = ((chunk - (1 - a_t).sqrt() * eps) / a_t.sqrt()).clamp(-1, 1)
            chunk = a_next.sqrt() * x0 + (1 - a_next).sqrt() * eps
        restored.append(chunk)
    return stitch_patches(torch.cat(restored), batch, config.image_size, config.stride)
