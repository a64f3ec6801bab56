"""Greedy k-centre coreset and chunked nearest-neighbour search for the feature memory bank."""

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
    chosen = torch.empty(size, dtype=torch.long, device=vectors.device)
    chosen[0] = int(torch.randint(n, (1,), generator=generator))
    nearest = torch.cdist(vectors, vectors[chosen[:1]]).squeeze(1)
    for i in range(1, size):
        chosen[i] = torch.argmax(nearest)
        nearest = torch.minimum(nearest, torch.cdist(vectors, vectors[chosen[i : i + 1]]).squeeze(1))
    return chosen


def nearest_distance(queries: torch.Tensor, bank: torch.Tensor, chunk: int = 4096) -> torch.Tensor:
    """Euclidean distance from each query row to its nearest bank row."""
    out = torch.empty(queries.shape[0], device=queries.device)
    for start in range(0, queries.shape[0], chunk):
        out[start : start + chunk] = torch.cdist(queries[start : start + chunk], bank).min(dim=1).values
    return out
