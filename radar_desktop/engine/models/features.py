"""RADAR in a pretrained feature space: frozen encoder, then a DDPM denoiser of its feature maps.

An image goes through the frozen encoder once; its feature map (blocks joined at stride 8, standardised
with good-image statistics) is noised by one forward-diffusion step with fixed seeded noise, and the
denoiser predicts that noise in one pass. Where the part departs from normal, the prediction misses:
the per-location noise error is the anomaly map. The same standardised features feed the memory-bank
reference scorer, so every scorer reads one forward output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler

from radar_desktop.engine.config import ModelConfig
from radar_desktop.engine.coreset import farthest_points
from radar_desktop.engine.models.diffusion import CONFIG_FILE, build_scheduler, ddim_timesteps, ddim_update, noised
from radar_desktop.engine.models.encoder import (
    ENCODER_NAME,
    WEIGHTS_SHA256,
    block_channels,
    pretrained_encoder,
    to_encoder_input,
)
from radar_desktop.engine.models.feature_denoiser import FeatureDenoiser
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.preprocess import Placement, whole_square

#: Good feature vectors drawn per training "batch item" (a batch of 64 is 8,192 vectors, 8 maps' worth).
VECTORS_PER_ITEM = 128
#: Good feature vectors the denoiser trains on at most (4 bytes a channel each: about 2.6 GB with the
#: default blocks' 154 channels). Every vector of MTD's or a long-part set's training tiles fits; tiles
#: at a fine scale (190 long strips at 2 x: 12,000 tiles) would need 7.7 GB twice over, and ran a 24 GB
#: machine out of memory.
MAX_TRAINING_VECTORS = 1 << 22
#: Images encoded per encoder call.
ENCODE_CHUNK = 8
#: Stride (in working pixels) of the joined feature map: finer taps are averaged down to it, coarser ones upsampled.
JOIN_STRIDE = 8
#: Channels :func:`intensity_channels` adds when the config weighs them (grey level, grey spread).
INTENSITY_CHANNELS = 2
#: Share of the training images (camera re-renderings included) that are coverage images: the k-centre
#: coreset of their mean standardised features, so an image of a look that 1 % of the images have is
#: among them, and a config's ``coverage_share`` of every batch comes from their vectors.
COVERAGE_IMAGES = 1 / 8


@dataclass(frozen=True)
class TrainingVectors:
    """The standardised good vectors (N, D) the denoiser trains on, and the rows that are coverage images'."""

    vectors: torch.Tensor
    coverage: torch.Tensor


class FeatureRadarModel:
    """The frozen encoder, the feature-space denoiser and its noise schedule, on one device."""

    def __init__(self, config: ModelConfig, denoiser: FeatureDenoiser, scheduler: DDPMScheduler) -> None:
        self.config = config
        self.denoiser = denoiser
        self.scheduler = scheduler
        self.alphas_cumprod = scheduler.alphas_cumprod.to(torch.float32)
        self.encoder = pretrained_encoder(config.encoder_blocks)
        self.descriptor_weights = descriptor_weights(config)

    @classmethod
    def create(cls, config: ModelConfig) -> "FeatureRadarModel":
        torch.manual_seed(config.seed)
        denoiser = FeatureDenoiser(channels=feature_channels(config), width=config.denoiser_width)
        return cls(config, denoiser, build_scheduler(config))

    @property
    def device(self) -> torch.device:
        return self.denoiser.feature_mean.device

    @property
    def grid(self) -> int:
        """Feature cells per side of the working square."""
        return self.config.image_size // JOIN_STRIDE

    def to(self, device: torch.device) -> "FeatureRadarModel":
        self.denoiser.to(device)
        self.encoder = pretrained_encoder(self.config.encoder_blocks, device)
        self.descriptor_weights = self.descriptor_weights.to(device)
        return self

    def for_inference(self) -> "FeatureRadarModel":
        self.denoiser.eval()
        self.encoder.to(memory_format=torch.channels_last)
        return self

    def for_training(self) -> "FeatureRadarModel":
        self.denoiser.train()
        return self

    def trainable(self) -> torch.nn.Module:
        return self.denoiser

    def describe(self) -> dict:
        """What a profile and a report cite of this model's feature space."""
        return {"encoder": ENCODER_NAME, "encoder_weights_sha256": WEIGHTS_SHA256, "encoder_blocks": list(self.config.encoder_blocks)}

    # -- features -------------------------------------------------------------------------------
    @torch.inference_mode()
    def raw_features(self, images: torch.Tensor) -> torch.Tensor:
        """Encoder features (B, D, G, G) of (B, C, S, S) images in 0..1, before standardisation.

        Each tapped block is 3x3-averaged (a little neighbourhood in every vector) and brought to the
        stride-``JOIN_STRIDE`` grid (finer blocks averaged down, deeper ones upsampled), then all are
        joined along channels, followed by the intensity channels when the config weighs them.
        """
        side = images.shape[-1] // JOIN_STRIDE
        chunks = []
        for start in range(0, images.shape[0], ENCODE_CHUNK):
            chunk = images[start : start + ENCODE_CHUNK].to(self.device, torch.float32)
            taps = self.encoder(to_encoder_input(chunk).contiguous(memory_format=torch.channels_last))
            parts = [to_grid(tap, side) for tap in taps]
            if self.config.intensity_weight > 0:
                parts.append(intensity_channels(chunk, side))
            chunks.append(torch.cat(parts, dim=1).contiguous())
        return torch.cat(chunks)

    def standardise(self, features: torch.Tensor) -> torch.Tensor:
        d = self.denoiser
        return (features - d.feature_mean[:, None, None]) / d.feature_std[:, None, None]

    def features(self, images: torch.Tensor) -> torch.Tensor:
        return self.standardise(self.raw_features(images))

    # -- training -------------------------------------------------------------------------------
    def training_data(self, images: torch.Tensor) -> TrainingVectors:
        """The good feature vectors (at most ``MAX_TRAINING_VECTORS`` of the N * G * G, D) of uint8
        working images, standardised, with the rows of the coverage images; sets the standardisation.

        Images are encoded a chunk at a time. Beyond the cap each chunk keeps its share of the vectors,
        drawn with the config's seed, so tiles at a fine scale train in bounded memory; under it every
        vector is kept, in order.
        """
        cells = self.grid**2
        total = images.shape[0] * cells
        kept = min(total, MAX_TRAINING_VECTORS)
        vectors = torch.empty((kept, feature_channels(self.config)), device=self.device)
        owners = torch.empty(kept, dtype=torch.long)  # the image each vector is from
        means = torch.empty((images.shape[0], vectors.shape[1]))
        generator = torch.Generator().manual_seed(self.config.seed)
        filled = 0
        for start in range(0, images.shape[0], ENCODE_CHUNK):
            raw = self.raw_features(images[start : start + ENCODE_CHUNK].float() / 255.0)
            means[start : start + raw.shape[0]] = raw.mean(dim=(2, 3)).cpu()
            chunk = raw.permute(0, 2, 3, 1).reshape(-1, raw.shape[1])
            owner = torch.arange(start, start + raw.shape[0]).repeat_interleave(cells)
            end = (start + raw.shape[0]) * cells * kept // total
            if kept < total:
                pick = torch.randperm(chunk.shape[0], generator=generator)[: end - filled]
                chunk, owner = chunk[pick.to(chunk.device)], owner[pick]
            vectors[filled:end] = chunk
            owners[filled:end] = owner
            filled = end
        self.denoiser.feature_mean.copy_(vectors.mean(dim=0))
        self.denoiser.feature_std.copy_(vectors.std(dim=0).clamp_min(1e-6))
        coverage = torch.empty(0, dtype=torch.long)
        if self.config.coverage_share > 0:  # profiles without the share need no coverage images
            mean, std = self.denoiser.feature_mean.cpu(), self.denoiser.feature_std.cpu()
            rare = farthest_points((means - mean) / std, max(1, round(COVERAGE_IMAGES * images.shape[0])))
            coverage = torch.nonzero(torch.isin(owners, rare)).squeeze(1)
        return TrainingVectors(vectors.sub_(self.denoiser.feature_mean).div_(self.denoiser.feature_std), coverage)

    def sample_batch(self, data: TrainingVectors, items: int, generator: torch.Generator, uniform: bool = False) -> torch.Tensor:
        """``items`` batch items' worth of training vectors: the config's coverage share of them from the
        coverage images, the rest (all, when ``uniform``) from every image."""
        count = items * VECTORS_PER_ITEM
        rare = 0 if uniform else round(self.config.coverage_share * count)
        picks = [data.coverage[torch.randint(data.coverage.numel(), (rare,), generator=generator)]] if rare else []
        picks.append(torch.randint(data.vectors.shape[0], (count - rare,), generator=generator))
        return data.vectors[torch.cat(picks).to(data.vectors.device)]

    def predict(self, noisy: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.denoiser(noisy, t)

    def finish_training(self, data: TrainingVectors) -> None:
        self.calibrate_error_scale(data)

    # -- the single step ------------------------------------------------------------------------
    def map_noise(self, batch: int) -> torch.Tensor:
        """The fixed, seeded noise injected into every image's feature map (the same for each image)."""
        generator = torch.Generator(device="cpu").manual_seed(self.config.seed)
        noise = torch.randn((1, self.denoiser.config.channels, self.grid, self.grid), generator=generator)
        return noise.to(self.device).expand(batch, -1, -1, -1)

    @torch.inference_mode()
    def channel_errors(self, features: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Squared noise error per channel (B, D, H, W) of one noising step at ``inference_t``."""
        t = self.config.inference_t
        noisy = noised(features, noise, self.alphas_cumprod[t])
        predicted = self.denoiser.predict_maps(noisy, torch.tensor([t], device=features.device))
        return (predicted - noise) ** 2

    def error_map(self, features: torch.Tensor) -> torch.Tensor:
        """(B, G, G) noise error, each channel weighed by the error it shows on good images."""
        scale = self.denoiser.error_scale[:, None, None]
        return (self.channel_errors(features, self.map_noise(features.shape[0])) / scale).mean(dim=1)

    @torch.inference_mode()
    def calibrate_error_scale(self, data: TrainingVectors, count: int = 65536) -> None:
        """Set the per-channel error weights from good training vectors (after training)."""
        generator = torch.Generator().manual_seed(self.config.seed)
        maps = self.sample_batch(data, max(1, count // VECTORS_PER_ITEM), generator, uniform=True).T[None, :, :, None]
        noise = torch.randn(maps.shape, generator=generator).to(maps.device)
        errors = self.channel_errors(maps, noise)[0, :, :, 0]
        self.denoiser.error_scale.copy_(errors.mean(dim=1).clamp_min(1e-6))

    @torch.inference_mode()
    def reconstruction_error(self, images: torch.Tensor, start_t: int, steps: int) -> torch.Tensor:
        """(B, S, S) baseline error: features noised to ``start_t``, DDIM back in ``steps`` denoiser
        passes, squared distance to the clean features (the approach RADAR replaces, in this space)."""
        features = self.features((images + 1) / 2)
        noise = self.map_noise(features.shape[0])
        alphas = self.alphas_cumprod.to(features.device)
        x = noised(features, noise, alphas[start_t])
        schedule = ddim_timesteps(start_t, steps)
        for t, t_next in zip(schedule[:-1], schedule[1:]):
            eps = self.denoiser.predict_maps(x, torch.tensor([t], device=x.device))
            x = ddim_update(x, eps, alphas, t, t_next, clamp=False)
        error = ((x - features) ** 2).mean(dim=1, keepdim=True)
        return F.interpolate(error, size=images.shape[-1], mode="bilinear", align_corners=False)[:, 0]

    @torch.inference_mode()
    def clean_step(self, features: torch.Tensor) -> torch.Tensor:
        """RADAR's deterministic single step: the denoiser's predicted noise (B, D, G, G) for the clean
        features scaled to ``inference_t``, sqrt(a_t) f, with no noise injected.

        On good features the prediction is near zero; off what it learnt as normal it points back towards
        it. Without the injected noise's variance this is the expectation the noised step only samples.
        """
        t = self.config.inference_t
        scaled = self.alphas_cumprod[t].to(features.device).sqrt() * features
        return self.denoiser.predict_maps(scaled, torch.tensor([t], device=features.device))

    def single_step(
        self,
        images: torch.Tensor,
        placements: tuple[Placement, ...] | None,
        *,
        with_features: bool,
        with_noise: bool,
        with_clean_step: bool = False,
    ) -> ForwardOutput:
        """The feature-space single step: the encoder once, then one denoiser pass for each step asked for
        (the noised step's error, the deterministic clean step)."""
        x = images.to(self.device, torch.float32)
        batch, size = x.shape[0], x.shape[-1]
        placements = tuple(placements) if placements is not None else (whole_square(size),) * batch
        if not (with_features or with_noise or with_clean_step):
            return ForwardOutput(x * 2 - 1, None, None, None, placements)
        features = self.features(x)
        noise_error = None
        if with_noise:
            grid_error = self.error_map(features)[:, None]
            noise_error = F.interpolate(grid_error, size=size, mode="bilinear", align_corners=False)[:, 0]
        descriptors = features * self.descriptor_weights[:, None, None] if with_features else None
        clean_noise = self.clean_step(features) if with_clean_step else None
        return ForwardOutput(x * 2 - 1, None, noise_error, descriptors, placements, clean_noise)

    # -- persistence ----------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write ``radar_config.json``, ``denoiser/`` (safetensors) and ``scheduler/`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        self.config.save(folder / CONFIG_FILE)
        self.denoiser.save_pretrained(folder / "denoiser", safe_serialization=True)
        self.scheduler.save_pretrained(folder / "scheduler")

    @classmethod
    def load(cls, folder: Path, config: ModelConfig, device: torch.device | None = None) -> "FeatureRadarModel":
        denoiser = FeatureDenoiser.from_pretrained(folder / "denoiser", use_safetensors=True, local_files_only=True, low_cpu_mem_usage=False)
        scheduler = DDPMScheduler.from_pretrained(folder / "scheduler", local_files_only=True)
        model = cls(config, denoiser, scheduler)
        model = model.to(device) if device is not None else model
        return model.for_inference()


def to_grid(tap: torch.Tensor, side: int) -> torch.Tensor:
    """One block's output 3x3-averaged and resampled to a (side x side) grid."""
    pooled = F.avg_pool2d(tap, 3, stride=1, padding=1, count_include_pad=False)
    if pooled.shape[-1] > side:
        return F.adaptive_avg_pool2d(pooled, side)
    if pooled.shape[-1] < side:
        return F.interpolate(pooled, size=(side, side), mode="bilinear", align_corners=False)
    return pooled


def intensity_channels(images: torch.Tensor, side: int) -> torch.Tensor:
    """(B, 2, side, side): each cell's grey mean over the image's mean, and its spread over the image's.

    Relative to the image's own level, so a part lit brighter overall reads as normal while a local stain,
    a faint discoloured band or a washed-out patch stands out (the pretrained features barely see those).
    """
    grey = images.mean(dim=1, keepdim=True)
    mean = to_grid(F.avg_pool2d(grey, JOIN_STRIDE), side)
    spread = (to_grid(F.avg_pool2d(grey * grey, JOIN_STRIDE), side) - mean**2).clamp_min(0).sqrt()
    level = grey.mean(dim=(2, 3), keepdim=True).clamp_min(1e-3)
    contrast = grey.std(dim=(2, 3), keepdim=True).clamp_min(1e-3)
    return torch.cat([mean / level, spread / contrast], dim=1)


def feature_channels(config: ModelConfig) -> int:
    """Channels of the joined feature map: those of every tapped block, and the intensity channels."""
    return sum(block_channels(b) for b in config.encoder_blocks) + (INTENSITY_CHANNELS if config.intensity_weight > 0 else 0)


def descriptor_weights(config: ModelConfig) -> torch.Tensor:
    """(D,) factors on the standardised features the memory bank compares: 1, and the square root of
    ``intensity_weight`` on each intensity channel (so the pair weighs that many encoder channels)."""
    weights = torch.ones(feature_channels(config))
    if config.intensity_weight > 0:
        weights[-INTENSITY_CHANNELS:] = config.intensity_weight**0.5
    return weights
