"""The RADAR forward pass: one noising step and one batched U-Net evaluation per image.

Every scorer reads what this pass returns: the stitched predicted noise, its error against the
injected noise, and L2-normalised features of the U-Net's (attention) blocks.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from radar_desktop.engine.model import RadarModel
from radar_desktop.engine.patches import extract_patches, patch_count, stitch_patches
from radar_desktop.engine.preprocess import Placement, whole_square

#: Features are stitched at this fraction of the working resolution.
FEATURE_SCALE = 4


@dataclass(frozen=True)
class ForwardOutput:
    """Stitched outputs of one single-step pass over a batch of working images (all on the model's device)."""

    images: torch.Tensor  # (B, C, S, S) in [-1, 1]
    noise_pred: torch.Tensor  # (B, C, S, S)
    noise_error: torch.Tensor  # (B, S, S): mean over channels of (predicted - injected)^2
    features: torch.Tensor | None  # (B, D, S / 4, S / 4), each block L2-normalised
    placements: tuple[Placement, ...]  # where each image's content lies in the working square


def block_modules(model: RadarModel) -> dict[str, torch.nn.Module]:
    """The U-Net blocks whose outputs can serve as features, by config name."""
    unet = model.unet
    named = {f"down.{i}": b for i, b in enumerate(unet.down_blocks)}
    named["mid"] = unet.mid_block
    named.update({f"up.{i}": b for i, b in enumerate(unet.up_blocks)})
    return named


def patch_noise(model: RadarModel, count: int) -> torch.Tensor:
    """The fixed, seeded noise injected into an image's ``count`` patches (same for every image)."""
    c, p = model.config.channels, model.config.patch_size
    generator = torch.Generator(device="cpu").manual_seed(model.config.seed)
    return torch.randn((count, c, p, p), generator=generator).to(model.device)


def noise_patches(model: RadarModel, x0: torch.Tensor, noise: torch.Tensor, t: int) -> torch.Tensor:
    """Forward diffusion of clean patches ``x0`` to step ``t`` with the given noise."""
    alpha = model.alphas_cumprod[t].to(x0.device)
    return alpha.sqrt() * x0 + (1 - alpha).sqrt() * noise


def autocast_for(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA; full precision elsewhere."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


class _FeatureCollector:
    """Forward hooks that keep the outputs of the named U-Net blocks for one call."""

    def __init__(self, model: RadarModel, names: tuple[str, ...]) -> None:
        modules = block_modules(model)
        unknown = [n for n in names if n not in modules]
        if unknown:
            raise ValueError(f"unknown feature blocks {unknown}; this model has {sorted(modules)}")
        self.outputs: dict[str, torch.Tensor] = {}
        self._handles = [modules[n].register_forward_hook(self._hook(n)) for n in names]

    def _hook(self, name: str):
        def keep(_module, _inputs, output):
            self.outputs[name] = output[0] if isinstance(output, tuple) else output

        return keep

    def close(self) -> None:
        for handle in self._handles:
            handle.remove()


def single_step(
    model: RadarModel,
    images: torch.Tensor,
    placements: tuple[Placement, ...] | None = None,
    *,
    with_features: bool = True,
    max_patches: int = 512,
) -> ForwardOutput:
    """Noise every patch of ``images`` (B, C, S, S in 0..1) to ``inference_t`` and run the U-Net once.

    ``placements`` say where each image's content lies (default: the whole square).
    """
    config = model.config
    device = model.device
    x = images.to(device, torch.float32) * 2 - 1
    batch, size = x.shape[0], config.image_size
    per_image = patch_count(size, config.patch_size, config.stride) ** 2
    patches = extract_patches(x, config.patch_size, config.stride)
    noise = patch_noise(model, per_image).repeat(batch, 1, 1, 1)
    t = config.inference_t
    noisy = noise_patches(model, patches, noise, t)
    collector = _FeatureCollector(model, config.feature_blocks) if with_features else None
    predictions, features = [], []
    feature_side = config.patch_size // FEATURE_SCALE
    try:
        with torch.inference_mode(), autocast_for(device):
            for start in range(0, noisy.shape[0], max_patches):
                chunk = noisy[start : start + max_patches]
                steps = torch.full((chunk.shape[0],), t, device=device, dtype=torch.long)
                predictions.append(model.unet(chunk, steps).sample.float())
                if collector is not None:
                    blocks = [
                        F.interpolate(F.normalize(collector.outputs[n].float(), dim=1), size=feature_side, mode="bilinear", align_corners=False)
                        for n in config.feature_blocks
                    ]
                    features.append(torch.cat(blocks, dim=1))
    finally:
        if collector is not None:
            collector.close()
    predicted = torch.cat(predictions)
    error = ((predicted - noise) ** 2).mean(dim=1, keepdim=True)
    stitched_features = None
    if features:
        stitched_features = stitch_patches(
            torch.cat(features), batch, size // FEATURE_SCALE, config.stride // FEATURE_SCALE
        )
    return ForwardOutput(
        images=x,
        noise_pred=stitch_patches(predicted, batch, size, config.stride),
        noise_error=stitch_patches(error, batch, size, config.stride)[:, 0],
        features=stitched_features,
        placements=tuple(placements) if placements is not None else (whole_square(size),) * batch,
    )
