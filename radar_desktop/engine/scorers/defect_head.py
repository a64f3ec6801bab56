"""A small head that segments defects from what the single forward pass yields.

It reads the U-Net's block features (at 1/4 of the working resolution) beside the image's pixels,
and is trained on good images with synthetic defects pasted in
(:mod:`radar_desktop.engine.synthetic_defects`); the U-Net itself stays frozen.
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.models.pixel import single_step
from radar_desktop.engine.synthetic_defects import defect_batch

#: Side of the training crops, in working pixels: a few U-Net patches, so that context is seen.
CROP_PATCHES = 3

#: Images per head call on the CPU: the full-resolution activations of more images fall out of cache
#: (measured, channels-last, 16 wide, 256 px: 15 ms per image in pairs, 33 ms in batches of 8).
CPU_IMAGES_PER_CALL = 2

#: Channels of the head's full-resolution stage (twice that below). 8 measured 12 ms per 256 px image
#: on the CPU against 22 for 16; 12 was no faster than 16 (oneDNN prefers multiples of 8). Heads saved
#: with another width keep it: :meth:`DefectHead.from_state` reads it from the weights.
WIDTH = 8


def _block(inputs: int, outputs: int, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, padding=dilation, dilation=dilation), nn.GroupNorm(4, outputs), nn.SiLU()
    )


class DefectHead(nn.Module):
    """Features (B, D, s, s) and images (B, C, 4s, 4s) in [-1, 1] -> defect logits (B, 1, 4s, 4s).

    A small encoder-decoder over the image's pixels, with the U-Net's features joined at 1/4 scale,
    so thin defects are outlined at full resolution and the features bring the context.
    """

    def __init__(self, feature_channels: int, image_channels: int, width: int = WIDTH) -> None:
        super().__init__()
        self.at_full = _block(image_channels, width)
        self.at_half = _block(width, 2 * width)
        self.at_quarter = _block(2 * width, 2 * width)
        self.from_features = nn.Conv2d(feature_channels, 2 * width, 1)
        self.joined = nn.Sequential(_block(4 * width, 2 * width), _block(2 * width, 2 * width, dilation=2))
        self.up_half = _block(4 * width, width)
        self.up_full = _block(2 * width, width)
        self.out = nn.Conv2d(width, 1, 1)

    def forward(self, features: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        full = self.at_full(images)
        half = self.at_half(F.max_pool2d(full, 2))
        quarter = self.at_quarter(F.max_pool2d(half, 2))
        joined = self.joined(torch.cat([quarter, self.from_features(features)], dim=1))
        up = self.up_half(torch.cat([F.interpolate(joined, size=half.shape[-2:]), half], dim=1))
        up = self.up_full(torch.cat([F.interpolate(up, size=full.shape[-2:]), full], dim=1))
        return self.out(up)

    def for_inference(self) -> "DefectHead":
        """Evaluation mode with channels-last weights (measured ~1.7x faster on the CPU than the default layout, images in pairs)."""
        return self.eval().to(memory_format=torch.channels_last)

    def probabilities(self, features: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        """Defect probabilities (B, 4s, 4s), a few images per call on the CPU, all at once elsewhere."""
        step = CPU_IMAGES_PER_CALL if images.device.type == "cpu" else images.shape[0]
        layout = torch.channels_last
        with torch.inference_mode():
            return torch.cat([
                torch.sigmoid(self(features[i : i + step].contiguous(memory_format=layout),
                                   images[i : i + step].contiguous(memory_format=layout)))[:, 0]
                for i in range(0, images.shape[0], step)
            ])

    @classmethod
    def from_state(cls, state: dict[str, torch.Tensor]) -> "DefectHead":
        """Rebuild a head from its saved weights (their shapes give its sizes), ready for inference."""
        width, channels = state["at_full.0.weight"].shape[:2]
        head = cls(state["from_features.weight"].shape[1], channels, width)
        head.load_state_dict(state)
        return head.for_inference()


def train_defect_head(
    model: RadarModel,
    good: np.ndarray,
    *,
    max_seconds: float | None,
    max_steps: int | None,
    batch_size: int = 16,
    seed: int = 0,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> DefectHead:
    """Train a head on crops of ``good`` (N, C, S, S uint8 working images) with synthetic defects."""
    cancel = cancel or CancelToken()
    config = model.config
    crop = min(config.patch_size + (CROP_PATCHES - 1) * config.stride, config.image_size)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    probe = single_step(model, torch.zeros((1, config.channels, crop, crop)), with_noise=False).features
    head = DefectHead(probe.shape[1], config.channels).to(model.device)
    optimiser = torch.optim.AdamW(head.parameters(), lr=2e-3)
    # defects cover few cells: weigh them up so the head does not learn to say "good" everywhere
    weight = torch.tensor(4.0, device=model.device)
    began, step = time.perf_counter(), 0

    def done() -> float:
        by_time = 0.0 if max_seconds is None else (time.perf_counter() - began) / max(max_seconds, 1e-9)
        return max(by_time, 0.0 if max_steps is None else step / max(max_steps, 1))

    while done() < 1.0:
        cancel.raise_if_cancelled()
        crops, masks = defect_batch(good, batch_size, crop, rng)
        images = torch.from_numpy(crops)
        output = single_step(model, images, with_noise=False)
        target = torch.from_numpy(masks)[:, None].to(model.device)
        logits = head(output.features.clone(), output.images.clone())
        loss = F.binary_cross_entropy_with_logits(logits, target, pos_weight=weight)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        step += 1
        progress(min(done(), 1.0), f"training the defect head: step {step}, loss {loss.item():.3f}")
    return head.for_inference()
