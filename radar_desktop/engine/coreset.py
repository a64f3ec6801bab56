"""Greedy k-centre coresets (the memory bank's vectors, the denoiser's coverage images) and chunked
nearest-neighbour search."""

from __future__ import annotations

import torch


def greedy_coreset(vectors: torch.Tensor, size: int, *, projection_dim: int = 64, seed: int = 0) -> torch.Tensor:
    """Indices of ``size`` rows chosen so that every row lies close to one of them (PatchCore-style).

    Distances are computed in a random projection to ``projection_dim`` dimensions to keep it cheap.
    """
    n, d = vectors.shape
    if size >= n:
        return torch.arange(n, device=vectors.device)
    generator = torch.Generator().manual_seed(seed)
    if d > projection_dim:
        projection = torch.randn((d, projection_dim), generator=generator).to(vectors.device) / projection_dim**0.5
        vectors = vectors @ projection
    return farthest_points(vectors, size, first=int(torch.randint(n, (1,), generator=generator)))


def farthest_points(points: torch.Tensor, size: int, first: int = 0) -> torch.Tensor:
    """Indices of ``size`` rows (at most all), from ``first`` on each the row farthest from those chosen
    before it: the greedy k-centre order, exact in the points' own space."""
    size = min(size, points.shape[0])
    chosen = torch.empty(size, dtype=torch.long, device=points.device)
    chosen[0] = first
    nearest = torch.cdist(points, points[first : first + 1]).squeeze(1)
    for i in range(1, size):
        chosen[i] = torch.argmax(nearest)
        nearest = torch.minimum(nearest, torch.cdist(points, points[chosen[i : i + 1]]).squeeze(1))
    return chosen


def nearest_distance(queries: torch.Tensor, bank: torch.Tensor, chunk: int = 256) -> torch.Tensor:
    """Euclidean distance from each query row to its nearest bank row.

    Uses |q - b|^2 = |q|^2 - 2 q.b + |b|^2 with one matrix product per chunk of queries written into a
    reused buffer: no square roots over the whole distance matrix and, on the CPU, a buffer small
    enough to stay in cache instead of a fresh 100+ MB allocation per image. 256 queries against a bank
    of 8,192 (8 MB) took half the time of 1,024 at once here, and ``amin`` a sixth of ``min``'s, which
    also finds the indices.
    """
    bank_norms = (bank * bank).sum(dim=1)
    out = torch.empty(queries.shape[0], device=queries.device, dtype=bank.dtype)
    buffer = torch.empty((min(chunk, queries.shape[0]), bank.shape[0]), device=queries.device, dtype=bank.dtype)
    for start in range(0, queries.shape[0], chunk):
        block = queries[start : start + chunk]
        products = buffer[: block.shape[0]]
        torch.addmm(bank_norms, block, bank.T, beta=1.0, alpha=-2.0, out=products)
        out[start : start + block.shape[0]] = products.amin(dim=1) + (block * block).sum(dim=1)
    return out.clamp_(min=0.0).sqrt_()
