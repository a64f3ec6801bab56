"""RADAR's noise predictor in the encoder's feature space: a time-conditioned per-location denoiser.

Every location of a feature map is one sample: the network sees a (C,) feature vector noised to step
t and predicts the noise, so a few hundred good images give hundreds of thousands of samples and it
trains in minutes on a CPU. Linear layers with GroupNorm and SiLU; the diffusers sinusoidal timestep
embedding is added after the first layer.
"""

from __future__ import annotations

import torch
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.embeddings import TimestepEmbedding, Timesteps
from diffusers.models.modeling_utils import ModelMixin
from torch import nn


class FeatureDenoiser(ModelMixin, ConfigMixin):
    """Predicts the noise in noised feature vectors; maps go in as (B, C, H, W), one vector per location.

    It also keeps, as buffers saved with its weights, the per-channel mean and standard deviation of good
    images' features (the standardisation it was trained in) and the per-channel mean squared noise
    error it makes on good features at the inference step (to weigh channels when reading the error).
    """

    @register_to_config
    def __init__(self, channels: int = 152, width: int = 256, depth: int = 2, groups: int = 8) -> None:
        super().__init__()
        self.time_proj = Timesteps(width, flip_sin_to_cos=True, downscale_freq_shift=0)
        self.time_embedding = TimestepEmbedding(width, width)
        self.inp = nn.Linear(channels, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth - 1))
        self.norms = nn.ModuleList(nn.GroupNorm(groups, width) for _ in range(depth))
        self.out = nn.Linear(width, channels)
        self.act = nn.SiLU()
        self.register_buffer("feature_mean", torch.zeros(channels))
        self.register_buffer("feature_std", torch.ones(channels))
        self.register_buffer("error_scale", torch.ones(channels))

    def forward(self, vectors: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Predicted noise for (N, C) noised vectors at steps ``t`` (N,) or one step for all."""
        t = t.reshape(1) if t.numel() == 1 else t  # one step for all: embedded once and broadcast
        embedding = self.time_embedding(self.time_proj(t).to(vectors.dtype))
        x = self.act(self.norms[0](self.inp(vectors) + embedding))
        for layer, norm in zip(self.hidden, self.norms[1:]):
            x = self.act(norm(layer(x)))
        return self.out(x)

    def predict_maps(self, maps: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Predicted noise for (B, C, H, W) noised maps, location by location."""
        b, c, h, w = maps.shape
        vectors = maps.permute(0, 2, 3, 1).reshape(-1, c)
        return self(vectors, t).reshape(b, h, w, c).permute(0, 3, 1, 2)
