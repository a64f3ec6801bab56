"""Scorers: ways to turn what the single forward pass predicts into an anomaly map and an image score.

All but ``recon`` read the same single forward pass (:class:`ForwardOutput`). Each scorer learns what
it needs from good training images (``observe_good``), then sets its thresholds from held-back good
images (``observe_calibration``); what every scorer shares is in :mod:`scorer_base`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.inspection_area import masked_map
from radar_desktop.core.one_class import PaperClassifier, paper_features, paper_heatmap
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.config import TrainConfig
from radar_desktop.engine.coreset import greedy_coreset, nearest_distance
from radar_desktop.engine.defect_head import DefectHead, train_defect_head
from radar_desktop.engine.model import RadarModel
from radar_desktop.engine.scorer_base import Scorer, blurred
from radar_desktop.engine.single_step import ForwardOutput

#: The default scorer of a new profile in each space (chosen by measurement, docs/BENCHMARKS.md).
DEFAULT_SCORERS = {"pixel": "segment", "encoder": "fused"}


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


class PaperScorer(Scorer):
    """The published pipeline: predicted noise -> blur 5 -> Sobel 5 -> Isolation Forest on two norms."""

    name = "paper"
    label = "paper pipeline"
    description = "paper-faithful: Sobel of predicted noise, Isolation Forest (contamination 0.05)"
    pooled_from_map = False

    def __init__(self) -> None:
        super().__init__()
        self._features: list[np.ndarray] = []
        self._classifier: PaperClassifier | None = None

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        noise = output.noise_pred.float().mean(dim=1).cpu().numpy()
        return np.stack([paper_heatmap(m) for m in noise])

    def score_maps(
        self, content_maps: list[np.ndarray], mask: np.ndarray | None = None, block: int | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """The paper's forest reads each whole map (``block`` does not apply)."""
        if self._classifier is None:
            raise RuntimeError("the paper scorer has not been calibrated")
        maps = [masked_map(m, mask) for m in content_maps]
        return maps, self._classifier.score(np.stack([paper_features(m) for m in maps]))

    def observe_calibration_maps(self, maps: list[np.ndarray], block: int | None = None) -> None:
        self._note_maps(maps)
        self._features.extend(paper_features(m) for m in maps)

    def finish_calibration(self) -> tuple[Thresholds, np.ndarray]:
        self._classifier = PaperClassifier(np.stack(self._features))
        scores = self._classifier.score(self._classifier.good_features)
        return self.thresholds_for(scores), scores

    def thresholds_for(self, good_scores: np.ndarray) -> Thresholds:
        # the forest's own contamination cut is the paper's decision; REVIEW is the 10% false-reject level
        return Thresholds(review=min(float(np.quantile(good_scores, 0.90)), 0.0), nok=0.0)

    def state(self) -> dict[str, np.ndarray]:
        return {"good_features": self._classifier.good_features} if self._classifier else {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self._classifier = PaperClassifier(state["good_features"])


class ResidualScorer(Scorer):
    """Squared error between predicted and injected noise, as z-scores of good-image statistics."""

    name = "residual"
    label = "noised step"
    description = "noise residual normalised by good-image statistics"

    def __init__(self) -> None:
        super().__init__()
        self._sums = np.zeros(3)  # count, sum, sum of squares
        self.mean, self.std = 0.0, 1.0

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        maps = blurred(output.noise_error)
        self._sums += [maps.size, maps.sum(), (maps.astype(np.float64) ** 2).sum()]

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        count, total, squares = self._sums
        self.mean = total / count
        self.std = max(np.sqrt(max(squares / count - self.mean**2, 0.0)), 1e-12)

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        return (blurred(output.noise_error) - self.mean) / self.std

    def state(self) -> dict[str, np.ndarray]:
        return {"mean_std": np.array([self.mean, self.std])}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.mean, self.std = (float(v) for v in state["mean_std"])


class CleanStepScorer(Scorer):
    """RADAR's deterministic single step: how much noise the denoiser sees in the clean features.

    The features are scaled to step t as the forward process would scale them, but no noise is added; the
    denoiser's predicted noise is then near zero where the part looks as it learnt normal parts look, and
    grows with how far, and which way, a feature vector sits off that. Its squared length, averaged over
    channels, is the map. (The noised step's error adds the injected noise's variance to every location.)
    """

    name = "radar"
    label = "RADAR step"
    description = "RADAR single step: the denoiser's predicted noise for the clean features scaled to step t, no noise injected"
    reads_noise = False
    reads_clean_step = True

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        energy = (output.clean_noise.float() ** 2).mean(dim=1, keepdim=True)
        return blurred(F.interpolate(energy, size=output.images.shape[-1], mode="bilinear", align_corners=False)[:, 0])


class FeatureScorer(Scorer):
    """Nearest-neighbour distance of multi-scale U-Net block features to a coreset of good features."""

    name = "features"
    label = "memory bank"
    description = "distance of each location's features (the encoder's, or the U-Net's blocks) to a memory bank of good ones"
    reads_features = True
    reads_noise = False

    def __init__(self, bank_size: int = 8192, samples_per_image: int = 512, dims: int | None = None) -> None:
        super().__init__()
        self.bank_size = bank_size
        self.samples_per_image = samples_per_image
        self.dims = dims
        self._candidates: list[torch.Tensor] = []
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
            self._candidates.append(image_vectors[pick.to(image_vectors.device)])

    @classmethod
    def for_training(cls, settings: TrainConfig) -> "FeatureScorer":
        return cls(bank_size=settings.bank_size, samples_per_image=settings.bank_vectors_per_image or 512, dims=settings.bank_dims)

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        candidates = torch.cat(self._candidates)
        if self.dims is not None and self.dims < candidates.shape[1]:
            self.projection = principal_directions(candidates, self.dims)
            candidates = candidates @ self.projection
        self.bank = candidates[greedy_coreset(candidates, self.bank_size)]
        self._candidates = []

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


class SegmentScorer(Scorer):
    """A small head, trained on good images with synthetic defects, segments the single-step features."""

    name = "segment"
    label = "defect head"
    description = "defect head on the single-step features, trained on synthetic defects in good images"
    reads_features = True
    reads_noise = False

    def __init__(self, max_seconds: float | None = 120.0, max_steps: int | None = None) -> None:
        super().__init__()
        self.max_seconds, self.max_steps = max_seconds, max_steps
        self._good: list[torch.Tensor] = []
        self._model: RadarModel | None = None
        self.head: DefectHead | None = None

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        self._model = model
        self._good.append(((output.images + 1) * 127.5).round().to(torch.uint8).cpu())

    @classmethod
    def for_training(cls, settings: TrainConfig) -> "SegmentScorer":
        seconds, steps = settings.head_budget()
        return cls(max_seconds=seconds, max_steps=steps)

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        good = torch.cat(self._good).numpy()
        self.head = train_defect_head(
            self._model, good, max_seconds=self.max_seconds, max_steps=self.max_steps, cancel=cancel, progress=progress
        )
        self._good, self._model = [], None

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        if self.head is None:
            raise RuntimeError("the segment scorer has no trained head yet")
        self.head = self.head.to(output.features.device)
        return blurred(self.head.probabilities(output.features, output.images))

    def state(self) -> dict[str, np.ndarray]:
        return {k: v.cpu().contiguous().numpy() for k, v in self.head.state_dict().items()} if self.head else {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.head = DefectHead.from_state({k: torch.from_numpy(v) for k, v in state.items()})


class ReconScorer(Scorer):
    """Baseline RADAR replaces: noise to t = 250, DDIM back in a few steps, compare with the input."""

    name = "recon"
    label = "reconstruction"
    description = "reconstruction baseline (t = 250, DDIM)"
    max_calibration_images = 16
    reads_noise = False  # it runs its own denoising passes from the input images

    def __init__(self, steps: int = 10, start_t: int = 250) -> None:
        super().__init__()
        self.steps = steps
        self.start_t = start_t

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        return blurred(model.reconstruction_error(output.images, self.start_t, self.steps))


class FusedScorer(Scorer):
    """The memory bank and RADAR's clean step read together, so every verdict reads the diffusion pass.

    Each part's map is on good pixels' scale (its edge statistics make it z-scores of good training maps
    at the same distance from the edges), so the two add up on one scale; the sum is pooled and
    calibrated as any map is. Each part is calibrated on its own too, so a score can be told by its parts,
    and is saved as the scorer of its own name (:meth:`components`); this one's state is its pooling.
    """

    name = "fused"
    label = "fused"
    description = "memory bank + RADAR single step: each map as z-scores of good maps, summed"
    PARTS = ("features", "radar")

    def __init__(self, parts: dict[str, Scorer] | None = None) -> None:
        super().__init__()
        self.parts = parts if parts is not None else {name: SCORERS[name]() for name in self.PARTS}

    @classmethod
    def for_training(cls, settings: TrainConfig) -> "FusedScorer":
        return cls({name: SCORERS[name].for_training(settings) for name in cls.PARTS})

    @property
    def reads_features(self) -> bool:
        return any(part.reads_features for part in self.parts.values())

    @property
    def reads_noise(self) -> bool:
        return any(part.reads_noise for part in self.parts.values())

    @property
    def reads_clean_step(self) -> bool:
        return any(part.reads_clean_step for part in self.parts.values())

    def use_pooling(self, pooling: str) -> "FusedScorer":
        for part in self.parts.values():
            part.use_pooling(pooling)
        super().use_pooling(pooling)
        return self

    def use_edge_statistics(self, band: int) -> "FusedScorer":
        """The parts learn the edges; their sum is on good pixels' scale already."""
        for part in self.parts.values():
            part.use_edge_statistics(band)
        return self

    @property
    def learns_edges(self) -> bool:
        return any(part.learns_edges for part in self.parts.values())

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        for part in self.parts.values():
            part.observe_good(model, output)

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        for part in self.parts.values():
            part.finish_good(cancel, progress)

    def observe_edges(self, model: RadarModel, output: ForwardOutput) -> None:
        for part in self.parts.values():
            if part.learns_edges:
                part.observe_edges(model, output)

    def finish_edges(self) -> None:
        for part in self.parts.values():
            if part.learns_edges:
                part.finish_edges()

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        return np.sum([part.read_maps(model, output) for part in self.parts.values()], axis=0)

    def _part_maps(self, model: RadarModel, output: ForwardOutput) -> dict[str, list[np.ndarray]]:
        return {name: part.content_maps(model, output) for name, part in self.parts.items()}

    @staticmethod
    def _fuse(part_maps: dict[str, list[np.ndarray]]) -> list[np.ndarray]:
        return [np.sum(maps, axis=0) for maps in zip(*part_maps.values())]

    def content_maps(self, model: RadarModel, output: ForwardOutput) -> list[np.ndarray]:
        return self._fuse(self._part_maps(model, output))

    def score_with_parts(
        self, model: RadarModel, output: ForwardOutput, mask: np.ndarray | None = None
    ) -> tuple[list[np.ndarray], np.ndarray, list[dict[str, float]]]:
        """The fused maps and scores, and each part's own score (0 a typical good part, 1 its NOK line)."""
        part_maps = self._part_maps(model, output)
        block = model.config.image_size
        maps, scores = self.score_maps(self._fuse(part_maps), mask, block)
        by_part = {part.label: part.score_maps(part_maps[name], mask, block)[1] for name, part in self.parts.items()}
        return maps, scores, [{label: float(values[i]) for label, values in by_part.items()} for i in range(len(maps))]

    def observe_calibration(self, model: RadarModel, output: ForwardOutput) -> None:
        part_maps = self._part_maps(model, output)
        block = model.config.image_size
        for name, part in self.parts.items():
            part.observe_calibration_maps(part_maps[name], block)
        self.observe_calibration_maps(self._fuse(part_maps), block)

    def part_labels(self) -> tuple[str, ...]:
        return tuple(part.label for part in self.parts.values())

    def components(self) -> dict[str, Scorer]:
        return dict(self.parts)


SCORERS: dict[str, type[Scorer]] = {
    s.name: s for s in (PaperScorer, ResidualScorer, FeatureScorer, SegmentScorer, ReconScorer, CleanStepScorer, FusedScorer)
}
#: What each space's forward output can feed: the paper's Sobel pipeline and the defect head read
#: pixel-space noise and U-Net blocks; the noise residual, the memory bank and the reconstruction
#: baseline read what either space returns; RADAR's clean step, and the fused default made with it,
#: read the encoder space's feature denoiser.
SPACE_SCORERS: dict[str, tuple[str, ...]] = {
    "pixel": ("paper", "residual", "features", "segment", "recon"),
    "encoder": ("fused", "radar", "features", "residual", "recon"),
}


#: How a new profile's scorers pool image scores in each space (the pixel space keeps the peak).
SPACE_POOLING = {"pixel": "max", "encoder": "peak+mean"}
#: Band width (working pixels) of the edge statistics a new profile's scorers learn, by space: one cell of
#: the encoder's feature grid. The pixel space's maps are read as they are.
SPACE_EDGE_BAND = {"encoder": 8}


def scorers_for(space: str) -> tuple[str, ...]:
    """Names of the scorers a model of ``space`` is calibrated for."""
    return SPACE_SCORERS[space]


def make_scorer(name: str, settings: TrainConfig | None = None) -> Scorer:
    """A fresh scorer by name, sized by ``settings`` when it is about to learn from good images."""
    try:
        kind = SCORERS[name]
    except KeyError:
        raise ValueError(f"unknown scorer {name!r}; choose one of {', '.join(SCORERS)}") from None
    return kind() if settings is None else kind.for_training(settings)


def profile_scorers(names: tuple[str, ...], settings: TrainConfig, space: str) -> list[Scorer]:
    """The scorers a new profile of ``space`` calibrates for ``names``: a name that is a part of another
    one's (the fused scorer's memory bank and clean step) is that scorer's own part, so there is one
    memory bank and one search per image. Each part is still calibrated and saved under its own name."""
    scorers = [profile_scorer(name, settings, space) for name in names]
    parts = {name for scorer in scorers for name in scorer.components()}
    return [scorer for scorer in scorers if scorer.name not in parts]


def profile_scorer(name: str, settings: TrainConfig, space: str) -> Scorer:
    """A fresh scorer as a new profile of ``space`` makes it: sized by ``settings``, pooling as the space
    pools, learning good maps near the edges where the space does."""
    scorer = make_scorer(name, settings).use_pooling(SPACE_POOLING[space])
    return scorer.use_edge_statistics(SPACE_EDGE_BAND[space]) if space in SPACE_EDGE_BAND else scorer
