"""The small configuration that describes a RADAR model; saved as JSON beside its weights."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from radar_desktop.sources.camera_variation import PARTS as CAMERA_PARTS, CameraVariation

RESIZE_MODES = ("fit", "stretch", "tiles")
#: ``pixel``: the paper's U-Net on image patches; ``encoder``: a denoiser of a frozen pretrained encoder's features.
SPACES = ("pixel", "encoder")


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a model and to preprocess images for it.

    Images are brought to ``image_size`` x ``image_size`` (``fit`` keeps the aspect ratio and pads by
    mirroring, ``stretch`` squeezes; ``tiles`` scales the image by ``working_scale``, aspect kept, and
    covers it with working squares sharing ``tile_overlap`` pixels, see :mod:`engine.tiling`), cut into ``patch_size`` patches every ``stride`` pixels, and noised
    to step ``inference_t`` of a ``num_train_timesteps``-step DDPM schedule for the single forward pass.
    """

    channels: int = 1
    image_size: int = 256
    resize_mode: str = "fit"
    patch_size: int = 32
    stride: int = 32
    # small enough to train ~2 steps a second on a 2-core CPU (batch 64); widths double per level
    block_out_channels: tuple[int, ...] = (16, 32, 64)
    attention_levels: tuple[bool, ...] = (False, False, True)
    layers_per_block: int = 1
    norm_num_groups: int = 8
    attention_head_dim: int = 16
    num_train_timesteps: int = 1000
    beta_schedule: str = "linear"
    inference_t: int = 50
    #: training draws t from [0, train_t_max) (None: every step of the schedule, as before it was set)
    train_t_max: int | None = None
    # the pass stops after the last of these: through the mid block it costs about a quarter of a full
    # pass; reading up.0 and up.1 as well cost three quarters and measured a lower image AUROC
    # (docs/BENCHMARKS.md)
    feature_blocks: tuple[str, ...] = ("down.1", "down.2", "mid")
    seed: int = 0
    space: str = "pixel"
    # encoder space only: EfficientNet-Lite0 blocks read (4: stride 8, 40 channels; 10: stride 16, 112)
    encoder_blocks: tuple[int, ...] = (4, 10)
    denoiser_width: int = 256
    # encoder space only: share of each training batch drawn from the vectors of the coverage images (a
    # k-centre coreset of the training images' mean features: the rarest looks among them); 0 draws every
    # batch uniformly, as profiles made before it did (docs/METHOD_NOTES.md)
    coverage_share: float = 0.0
    # encoder space only: weight in the memory bank's distance of two image-relative intensity channels
    # (each cell's mean over the image's mean, its spread over the image's spread); 0 leaves them out,
    # as in profiles made before they were measured (docs/METHOD_NOTES.md)
    intensity_weight: float = 0.0
    # ``tiles`` only: working pixels per image pixel, and the pixels neighbouring tiles share
    working_scale: float = 1.0
    tile_overlap: int = 32

    def __post_init__(self) -> None:
        levels = len(self.block_out_channels)
        problems = []
        if self.channels not in (1, 3):
            problems.append("channels must be 1 (grayscale) or 3 (colour)")
        if self.resize_mode not in RESIZE_MODES:
            problems.append(f"resize_mode must be one of {RESIZE_MODES}")
        if len(self.attention_levels) != levels:
            problems.append("attention_levels needs one entry per width in block_out_channels")
        if self.patch_size % (2 ** (levels - 1) * 4):
            problems.append(f"patch_size must be a multiple of {2 ** (levels - 1) * 4} for {levels} levels")
        if self.stride % 4 or not 0 < self.stride <= self.patch_size:
            problems.append("stride must be a multiple of 4 between 4 and patch_size")
        if self.image_size < self.patch_size or (self.image_size - self.patch_size) % self.stride:
            problems.append("image_size - patch_size must be a non-negative multiple of stride")
        if any(w % self.norm_num_groups for w in self.block_out_channels):
            problems.append("every width must be a multiple of norm_num_groups")
        if self.space not in SPACES:
            problems.append(f"space must be one of {SPACES}")
        if self.space == "encoder" and self.image_size % 32:
            problems.append("in the encoder space image_size must be a multiple of 32")
        if not 0 < self.working_scale <= 16:
            problems.append("working_scale must lie in (0, 16]")
        if self.resize_mode == "tiles" and not 0 <= self.tile_overlap < self.image_size // 2:
            problems.append("tile_overlap must lie in [0, image_size / 2)")
        if self.intensity_weight < 0:
            problems.append("intensity_weight must not be negative")
        if not 0 <= self.coverage_share < 1:
            problems.append("coverage_share must lie in [0, 1)")
        if not 0 <= self.inference_t < self.num_train_timesteps:
            problems.append("inference_t must lie in [0, num_train_timesteps)")
        if self.train_t_max is not None and not self.inference_t < self.train_t_max <= self.num_train_timesteps:
            problems.append("train_t_max must lie in (inference_t, num_train_timesteps]")
        if problems:
            raise ValueError("invalid model config: " + "; ".join(problems))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
        return cls(**{**data, **tuples})

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "ModelConfig":
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


#: (images, vectors per image) the memory bank is drawn from by default. Pixel: as measured before the
#: encoder space. Encoder: every training image (up to 10,000), 64 vectors each; on MTD's tuning half
#: image AUROC 0.91 against 0.74 for 64 images x 512 vectors (docs/METHOD_NOTES.md).
SPACE_BANK_SAMPLING = {"pixel": (64, 512), "encoder": (10_000, 64)}
#: Dimensions the memory bank compares vectors in, by space (None: all of them). Encoder: the 64 principal
#: directions of the good candidates; on MTD's tuning half the bank's image AUROC was 0.948 against 0.942
#: with all 154, its search 15 against 25 ms per image (docs/METHOD_NOTES.md). Pixel: unmeasured, all.
SPACE_BANK_DIMS = {"pixel": None, "encoder": 64}
#: Candidate vectors the bank's coreset picks from at least: with few training images each gives more
#: (64 x 512, so the pixel space's default is unchanged; on 80 demo-lattice images, 64 vectors each
#: left a good sample at REVIEW, and 410 each passed it, docs/METHOD_NOTES.md).
BANK_CANDIDATES = 64 * 512
#: Candidate vectors the bank's coreset picks from at most, a uniform draw beyond: its greedy search
#: costs time in step with them (8,192 picks on this 2-core CPU: 50,000 candidates 32 s, 100,000 73 s,
#: 200,000 420 s once they leave the cache). Every set measured stays under it (with the two camera
#: re-renderings: MTD about 117,000, ELPV 99,000 and 113,000, the long parts' default 146,000); a fine
#: working scale (12,000 tiles, 780,000 candidates) did not end in 12 minutes.
MAX_BANK_CANDIDATES = 1 << 18

#: The space of a new profile: the encoder's, measured far ahead of pixels on real parts (docs/BENCHMARKS.md).
DEFAULT_SPACE = "encoder"


#: The intensity channels' weight in a new encoder profile: on MTD's tuning half (bank image AUROC)
#: 0: 0.900, 8: 0.907, 32: 0.912, 76: 0.909, 152: 0.899; without them the demo lattice's stains go unseen.
INTENSITY_WEIGHT = 32.0
#: A new encoder profile's denoiser: 512 wide, trained on t < 400 only, read at t = 100. On MTD's tuning half
#: (deterministic single step, edge statistics) 256 wide and every t, 1,600 steps: image AUROC 0.85; 512 wide
#: and t < 400, 2,000 steps: 0.91 (docs/METHOD_NOTES.md).
#: Half of each batch from the coverage images: ELPV mono's good cells above NOK 4 -> 3 of 118 (rare cell
#: designs the uniform draw trained on 1 % of the time), MTD and ELPV poly within issue 28's targets.
ENCODER_DENOISER = dict(denoiser_width=512, train_t_max=400, inference_t=100, coverage_share=0.5)


def default_config(space: str = DEFAULT_SPACE, **overrides) -> ModelConfig:
    """The settings of a new profile in ``space``: in the encoder space images are stretched to the
    square (measured better than fit-and-pad on MTD), noised to the step that measured best, and the
    memory bank weighs the image-relative intensity channels."""
    encoder = dict(space="encoder", resize_mode="stretch", intensity_weight=INTENSITY_WEIGHT, **ENCODER_DENOISER)
    base = encoder if space == "encoder" else {}
    return ModelConfig(**{**base, **overrides})


def tiny_config(**overrides) -> ModelConfig:
    """A very small model for tests and quick demos (seconds on a CPU)."""
    base = dict(
        image_size=64,
        patch_size=16,
        stride=16,
        block_out_channels=(8, 16),
        attention_levels=(False, True),
        norm_num_groups=4,
        attention_head_dim=4,
        feature_blocks=("down.0", "down.1", "mid", "up.0"),
    )
    return ModelConfig(**{**base, **overrides})


@dataclass(frozen=True)
class TrainConfig:
    """How long and how to train; a budget of steps, seconds or both (whichever ends first)."""

    max_steps: int | None = None
    max_seconds: float | None = 15 * 60.0
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 1e-2
    warmup_steps: int = 50
    checkpoint_every_s: float = 60.0
    holdout_every: int = 5
    # good training images the memory bank draws vectors from, and how many from each (None: the space's
    # default, SPACE_BANK_SAMPLING): a bank drawn from every image covers the product far better
    bank_images: int | None = None
    bank_vectors_per_image: int | None = None
    bank_size: int = 8192  # feature vectors kept in the features scorer's memory bank (4 bytes x width each)
    bank_dims: int | None = None  # principal directions the bank compares in (None: the space's default)
    head_share: float = 1 / 3  # share of a time budget that trains the segment scorer's defect head
    # camera re-renderings (sources.camera_variation) of each good image the model, memory bank and edge
    # statistics learn from, and of each held-back image calibration scores: production frames differ
    # from calibration-day files in framing, focus, light, noise and compression (docs/METHOD_NOTES.md)
    variation: tuple[str, ...] = CAMERA_PARTS
    training_renderings: int = 2
    calibration_renderings: int = 2

    def for_space(self, space: str, train_images: int | None = None) -> "TrainConfig":
        """These settings with the space's defaults filled in: its bank sampling (spread over
        ``train_images`` to reach ``BANK_CANDIDATES`` when they are known), and for a space without a
        defect head to train, the whole budget for the model."""
        images, per_image = SPACE_BANK_SAMPLING[space]
        images = self.bank_images or images
        if train_images:
            per_image = max(per_image, -(-BANK_CANDIDATES // min(images, train_images)))
        head_share = self.head_share if space == "pixel" else 0.0
        return replace(
            self,
            bank_images=images,
            bank_vectors_per_image=self.bank_vectors_per_image or per_image,
            bank_dims=self.bank_dims or SPACE_BANK_DIMS[space],
            head_share=head_share,
        )

    def camera_variation(self) -> CameraVariation:
        return CameraVariation.only(self.variation)

    def unet_budget(self) -> "TrainConfig":
        """The budget left for the U-Net once the defect head has its share of the time."""
        if self.max_seconds is None:
            return self
        return replace(self, max_seconds=self.max_seconds * (1 - self.head_share))

    def head_budget(self) -> tuple[float | None, int | None]:
        """(seconds, steps) for the defect head: its share of the time, and of a step budget on top of
        the U-Net's steps (a step budget says how many U-Net steps to take)."""
        seconds = None if self.max_seconds is None else self.max_seconds * self.head_share
        steps = None if self.max_steps is None else max(1, round(self.max_steps * self.head_share))
        return seconds, steps

    def __post_init__(self) -> None:
        if self.max_steps is None and self.max_seconds is None:
            raise ValueError("training needs a step budget, a time budget or both")
        if not 0.0 <= self.head_share < 1.0:
            raise ValueError("head_share must lie in [0, 1)")
