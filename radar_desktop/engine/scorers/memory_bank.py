"""The memory bank: each feature vector's distance to its nearest good one (a coreset of good vectors)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.engine.config import MAX_BANK_CANDIDATES, TrainConfig
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.scorers.base import Scorer, blurred
from radar_desktop.engine.coreset import greedy_coreset, nearest_distance


def _content_cells(placement, scale: int, h: int, w: int, margin: int = 2) -> tuple[slice, slice]:
    """Feature cells that a content pixel's value can depend on.

    Padding is cropped away before scoring, so its cells need no nearest-neighbour search (the costly
    part). A content pixel reads cells at most one away through bilinear upsampling, and the 5x5 blur
    reaches 2 pixels further, under one more cell: a margin of 2 cells keeps the content map exact.
    """
    top = max(0, placement.top // scale - margin)
    left = max(0, placement.left // scale - margin)
    bottom = min(h, -(-(placement.top + placement.height) // scale) + margin)
    right = min(w, -(-(placement.left + placement.width) // scale) + margin)
    return slice(top, bottom), slice(left, right)


class FeatureScorer(Scorer):
    """Nearest-neighbour distance of multi-scale U-Net block features to a coreset of good features."""

    name = "features"
    label = "memory bank"
    description = "distance of each location's features (the encoder's, or the U-Net's blocks) to a memory bank of good ones"
    reads_features = True
    reads_noise = False

    def __init__(
        self, bank_size: int = 8192, samples_per_image: int = 512, dims: int | None = None, max_candidates: int = MAX_BANK_CANDIDATES
    ) -> None:
        super().__init__()
        self.bank_size = bank_size
        self.samples_per_image = samples_per_image
        self.dims = dims
        self.max_candidates = max_candidates
        self._candidates = CandidatePool(max_candidates)
        self.bank: torch.Tensor | None = None
        #: (D, dims) principal directions of the good candidates the bank compares in, or None (all of D)
        self.projection: torch.Tensor | None = None
        self._generator = torch.Generator().manual_seed(0)

    def descriptors(self, output: ForwardOutput) -> torch.Tensor:
        """The (B, D, S / 4, S / 4) vectors compared with the bank: the U-Net block features."""
        return output.features

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        vectors = self.descriptors(output).permute(0, 2, 3, 1)
        for image_vectors in vectors.reshape(vectors.shape[0], -1, vectors.shape[-1]):
            pick = torch.randperm(image_vectors.shape[0], generator=self._generator)[: self.samples_per_image]
            self._candidates.add(image_vectors[pick.to(image_vectors.device)])

    @classmethod
    def for_training(cls, settings: TrainConfig) -> "FeatureScorer":
        return cls(bank_size=settings.bank_size, samples_per_image=settings.bank_vectors_per_image or 512, dims=settings.bank_dims)

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        candidates = self._candidates.draw()
        if self.dims is not None and self.dims < candidates.shape[1]:
            self.projection = principal_directions(candidates, self.dims)
            candidates = candidates @ self.projection
        self.bank = candidates[greedy_coreset(candidates, self.bank_size)]
        self._candidates = CandidatePool(self.max_candidates)

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        if self.bank is None:
            raise RuntimeError("the feature scorer has no memory bank yet")
        features = self.descriptors(output)
        b, _, h, w = features.shape
        self.bank = self.bank.to(features.device)  # moved once, then kept beside the model
        if self.projection is not None:
            self.projection = self.projection.to(features.device)
            features = torch.einsum("bdhw,dk->bkhw", features, self.projection)
        d = features.shape[1]
        distances = torch.empty((b, 1, h, w), device=features.device)
        for i, placement in enumerate(output.placements):
            rows, cols = _content_cells(placement, output.images.shape[-1] // h, h, w)
            queries = features[i, :, rows, cols].permute(1, 2, 0).reshape(-1, d)
            nearest = nearest_distance(queries, self.bank).reshape(rows.stop - rows.start, cols.stop - cols.start)
            distances[i, 0] = nearest.min()  # padding cells: never read by the content map (see _content_cells)
            distances[i, 0, rows, cols] = nearest
        size = output.images.shape[-1]
        return blurred(F.interpolate(distances, size=size, mode="bilinear", align_corners=False)[:, 0])

    def state(self) -> dict[str, np.ndarray]:
        if self.bank is None:
            return {}
        projection = {} if self.projection is None else {"projection": self.projection.cpu().numpy()}
        return {"bank": self.bank.cpu().numpy(), **projection}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.bank = torch.from_numpy(state["bank"])
        self.projection = torch.from_numpy(state["projection"]) if "projection" in state else None


def principal_directions(vectors: torch.Tensor, dims: int) -> torch.Tensor:
    """(D, dims) orthonormal directions of largest variance of (N, D) vectors (their covariance's top
    eigenvectors). Distances between projected vectors keep what the bank needs of the full ones at a
    fraction of the search's cost."""
    centred = (vectors - vectors.mean(dim=0)).double()
    _, eigenvectors = torch.linalg.eigh(centred.T @ centred)
    return eigenvectors[:, -dims:].flip(1).to(vectors.dtype).contiguous()


class CandidatePool:
    """Good vectors the bank's coreset will pick from: every one offered, or a uniform draw of ``limit``
    of them once more are offered, kept in the order they came.

    Each vector gets a random key from a generator of its own, and the ``limit`` smallest keys are kept
    (pruned whenever twice as many are held), so memory stays bounded and a pool under its limit is
    exactly the concatenation of what was offered.
    """

    def __init__(self, limit: int, seed: int = 1) -> None:
        self.limit = limit
        self._generator = torch.Generator().manual_seed(seed)
        self._vectors: list[torch.Tensor] = []
        self._keys: list[torch.Tensor] = []
        self._held = 0

    def add(self, vectors: torch.Tensor) -> None:
        self._vectors.append(vectors)
        self._keys.append(torch.rand(vectors.shape[0], generator=self._generator))
        self._held += vectors.shape[0]
        if self._held >= 2 * self.limit:
            self._prune()

    def draw(self) -> torch.Tensor:
        """The pool's vectors, (N, D) with N at most ``limit``."""
        if self._held > self.limit:
            self._prune()
        return torch.cat(self._vectors)

    def _prune(self) -> None:
        vectors, keys = torch.cat(self._vectors), torch.cat(self._keys)
        kept = torch.topk(keys, self.limit, largest=False).indices.sort().values
        self._vectors, self._keys, self._held = [vectors[kept.to(vectors.device)]], [keys[kept]], self.limit
