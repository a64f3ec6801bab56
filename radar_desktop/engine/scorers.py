"""Scorers: ways to turn what the U-Net predicts into an anomaly map and an image score.

All but ``recon`` read the same single forward pass (:class:`ForwardOutput`). Each scorer learns what
it needs from good training images (``observe_good``), then sets its thresholds from held-back good
images (``observe_calibration``). Its learnt state is plain arrays, saved as safetensors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import torch
import torch.nn.functional as F

from radar_desktop.core.calibration import calibrate_thresholds
from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.inspection_area import masked_map
from radar_desktop.core.maps import gaussian_blur
from radar_desktop.core.one_class import PaperClassifier, paper_features, paper_heatmap
from radar_desktop.core.pooling import POOL_STATS_KEY, POOLINGS, combine_parts, part_statistics, pool_parts
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.config import TrainConfig
from radar_desktop.engine.coreset import greedy_coreset, nearest_distance
from radar_desktop.engine.defect_head import DefectHead, train_defect_head
from radar_desktop.engine.model import RadarModel
from radar_desktop.engine.preprocess import crop_content
from radar_desktop.engine.single_step import ForwardOutput

#: The default scorer of a new profile in each space (chosen by measurement, docs/BENCHMARKS.md).
DEFAULT_SCORERS = {"pixel": "segment", "encoder": "features"}


class Scorer(ABC):
    """Base class; subclasses set ``name`` and ``description`` and implement :meth:`maps`."""

    name: str
    description: str
    #: True for scorers that read the U-Net block features (they cost memory, so are only kept on demand).
    reads_features: bool = False
    #: True for scorers that read the predicted noise; without them the pass stops at the last feature block.
    reads_noise: bool = True

    #: True when the image score is the map's maximum, so the NOK threshold also outlines defects on the map.
    pooled_from_map: bool = True
    #: How the image score comes from the map: ``max`` (its peak) or ``peak+mean`` (see :mod:`pooling`).
    pooling: str = "max"

    #: Cap on held-back images used for calibration (None: all); for scorers that are slow per image.
    max_calibration_images: int | None = None

    def __init__(self) -> None:
        self._calibration_scores: list[float] = []
        self._calibration_parts: list[np.ndarray] = []
        self._map_low: list[float] = []
        self._map_high: list[float] = []
        self._pool_stats: np.ndarray | None = None  # (2, parts): good images' mean and std of each part

    @classmethod
    def for_training(cls, settings: TrainConfig) -> "Scorer":
        """A fresh scorer sized by a profile's training settings (default: no settings apply)."""
        return cls()

    def use_pooling(self, pooling: str) -> "Scorer":
        """Pool image scores this way from now on (a new profile's choice, saved with the state)."""
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; choose one of {', '.join(POOLINGS)}")
        self.pooling = pooling
        return self

    @property
    def score_is_map_peak(self) -> bool:
        """Whether the image score is a value of the map, so the NOK threshold also outlines defects."""
        return self.pooled_from_map and self.pooling == "max"

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        """Learn from a batch of good training images (default: nothing to learn)."""

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        """Finalise what was learnt from good images; ``progress`` hears of any long step."""

    @abstractmethod
    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        """Anomaly maps (B, S, S) at working resolution, padding included."""

    def content_maps(self, model: RadarModel, output: ForwardOutput) -> list[np.ndarray]:
        """Anomaly maps cropped to each image's content: padding never counts."""
        return [crop_content(m, p) for m, p in zip(self.maps(model, output), output.placements)]

    def pool(self, anomaly_map: np.ndarray) -> float:
        """Image score from one content map: its maximum, or the pooled parts weighed by good images."""
        if self.pooling == "max":
            return float(anomaly_map.max())
        if self._pool_stats is None:
            raise RuntimeError(f"the {self.name} scorer has not been calibrated")
        return combine_parts(pool_parts(anomaly_map), self._pool_stats)

    def score(
        self, model: RadarModel, output: ForwardOutput, mask: np.ndarray | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Content maps and image scores for one batch; ``mask`` (nonzero: inspected) is applied before pooling."""
        maps = [masked_map(m, mask) for m in self.content_maps(model, output)]
        return maps, np.array([self.pool(m) for m in maps], dtype=np.float64)

    def observe_calibration(self, model: RadarModel, output: ForwardOutput) -> None:
        """Score a batch of held-back good images for calibration."""
        maps = self.content_maps(model, output)
        self._note_maps(maps)
        if self.pooling == "max":
            self._calibration_scores.extend(float(m.max()) for m in maps)
        else:
            self._calibration_parts.extend(pool_parts(m) for m in maps)

    def _note_maps(self, maps: list[np.ndarray]) -> None:
        self._map_low.extend(float(np.median(m)) for m in maps)
        self._map_high.extend(float(m.max()) for m in maps)

    @property
    def calibrated_count(self) -> int:
        """How many held-back images this scorer has seen."""
        return len(self._map_high)

    def map_range(self) -> tuple[float, float]:
        """Display range of maps on good parts: typical background to the largest good peak."""
        return float(np.median(self._map_low)), float(np.max(self._map_high))

    def finish_calibration(self) -> tuple[Thresholds, np.ndarray]:
        """Thresholds and the held-back good scores they came from."""
        if self.pooling == "max":
            scores = np.asarray(self._calibration_scores)
        else:
            parts = np.stack(self._calibration_parts)
            self._pool_stats = part_statistics(parts)
            scores = np.array([combine_parts(p, self._pool_stats) for p in parts])
        return self.thresholds_for(scores), scores

    def thresholds_for(self, good_scores: np.ndarray) -> Thresholds:
        """Thresholds from held-back good scores at the calibration's target false-reject rates."""
        # pooled scores are z-scores against good images: a normal tail gives thresholds stable run to run
        return calibrate_thresholds(good_scores, tail="empirical" if self.pooling == "max" else "normal")

    def full_state(self) -> dict[str, np.ndarray]:
        """Everything to save with the profile: the learnt arrays and, when not ``max``, the pooling."""
        state = self.state()
        if self._pool_stats is not None:
            state[POOL_STATS_KEY] = self._pool_stats
        return state

    def load_full_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`full_state` returned (a state without pooling statistics pools the max)."""
        state = dict(state)
        stats = state.pop(POOL_STATS_KEY, None)
        if stats is not None:
            self.pooling, self._pool_stats = "peak+mean", stats
        self.load_state(state)

    def state(self) -> dict[str, np.ndarray]:
        """Learnt arrays, to save with the profile."""
        return {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`state` returned."""


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


def _blurred(maps: torch.Tensor) -> np.ndarray:
    return np.stack([gaussian_blur(m) for m in maps.float().cpu().numpy()])


class PaperScorer(Scorer):
    """The published pipeline: predicted noise -> blur 5 -> Sobel 5 -> Isolation Forest on two norms."""

    name = "paper"
    description = "paper-faithful: Sobel of predicted noise, Isolation Forest (contamination 0.05)"
    pooled_from_map = False

    def __init__(self) -> None:
        super().__init__()
        self._features: list[np.ndarray] = []
        self._classifier: PaperClassifier | None = None

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        noise = output.noise_pred.float().mean(dim=1).cpu().numpy()
        return np.stack([paper_heatmap(m) for m in noise])

    def score(
        self, model: RadarModel, output: ForwardOutput, mask: np.ndarray | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        if self._classifier is None:
            raise RuntimeError("the paper scorer has not been calibrated")
        maps = [masked_map(m, mask) for m in self.content_maps(model, output)]
        return maps, self._classifier.score(np.stack([paper_features(m) for m in maps]))

    def observe_calibration(self, model: RadarModel, output: ForwardOutput) -> None:
        maps = self.content_maps(model, output)
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
    description = "noise residual normalised by good-image statistics"

    def __init__(self) -> None:
        super().__init__()
        self._sums = np.zeros(3)  # count, sum, sum of squares
        self.mean, self.std = 0.0, 1.0

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        maps = _blurred(output.noise_error)
        self._sums += [maps.size, maps.sum(), (maps.astype(np.float64) ** 2).sum()]

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        count, total, squares = self._sums
        self.mean = total / count
        self.std = max(np.sqrt(max(squares / count - self.mean**2, 0.0)), 1e-12)

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        return (_blurred(output.noise_error) - self.mean) / self.std

    def state(self) -> dict[str, np.ndarray]:
        return {"mean_std": np.array([self.mean, self.std])}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.mean, self.std = (float(v) for v in state["mean_std"])


class FeatureScorer(Scorer):
    """Nearest-neighbour distance of multi-scale U-Net block features to a coreset of good features."""

    name = "features"
    description = "multi-scale attention-block features vs a memory bank of good features"
    reads_features = True
    reads_noise = False

    def __init__(self, bank_size: int = 8192, samples_per_image: int = 512) -> None:
        super().__init__()
        self.bank_size = bank_size
        self.samples_per_image = samples_per_image
        self._candidates: list[torch.Tensor] = []
        self.bank: torch.Tensor | None = None
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
        return cls(bank_size=settings.bank_size, samples_per_image=settings.bank_vectors_per_image or 512)

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        candidates = torch.cat(self._candidates)
        self.bank = candidates[greedy_coreset(candidates, self.bank_size)]
        self._candidates = []

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        if self.bank is None:
            raise RuntimeError("the feature scorer has no memory bank yet")
        features = self.descriptors(output)
        b, d, h, w = features.shape
        self.bank = self.bank.to(features.device)  # moved once, then kept beside the model
        distances = torch.empty((b, 1, h, w), device=features.device)
        for i, placement in enumerate(output.placements):
            rows, cols = _content_cells(placement, output.images.shape[-1] // h, h, w)
            queries = features[i, :, rows, cols].permute(1, 2, 0).reshape(-1, d)
            nearest = nearest_distance(queries, self.bank).reshape(rows.stop - rows.start, cols.stop - cols.start)
            distances[i, 0] = nearest.min()  # padding cells: never read by the content map (see _content_cells)
            distances[i, 0, rows, cols] = nearest
        size = output.images.shape[-1]
        return _blurred(F.interpolate(distances, size=size, mode="bilinear", align_corners=False)[:, 0])

    def state(self) -> dict[str, np.ndarray]:
        return {"bank": self.bank.cpu().numpy()} if self.bank is not None else {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.bank = torch.from_numpy(state["bank"])


class SegmentScorer(Scorer):
    """A small head, trained on good images with synthetic defects, segments the single-step features."""

    name = "segment"
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
        return _blurred(self.head.probabilities(output.features, output.images))

    def state(self) -> dict[str, np.ndarray]:
        return {k: v.cpu().contiguous().numpy() for k, v in self.head.state_dict().items()} if self.head else {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.head = DefectHead.from_state({k: torch.from_numpy(v) for k, v in state.items()})


class ReconScorer(Scorer):
    """Baseline RADAR replaces: noise to t = 250, DDIM back in a few steps, compare with the input."""

    name = "recon"
    description = "reconstruction baseline (t = 250, DDIM)"
    max_calibration_images = 16
    reads_noise = False  # it runs its own denoising passes from the input images

    def __init__(self, steps: int = 10, start_t: int = 250) -> None:
        super().__init__()
        self.steps = steps
        self.start_t = start_t

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        return _blurred(model.reconstruction_error(output.images, self.start_t, self.steps))


SCORERS: dict[str, type[Scorer]] = {s.name: s for s in (PaperScorer, ResidualScorer, FeatureScorer, SegmentScorer, ReconScorer)}
#: What each space's forward output can feed: the paper's Sobel pipeline and the defect head read
#: pixel-space noise and U-Net blocks; the noise residual, the memory bank and the reconstruction
#: baseline read what either space returns.
SPACE_SCORERS: dict[str, tuple[str, ...]] = {"pixel": tuple(SCORERS), "encoder": ("residual", "features", "recon")}


#: How a new profile's scorers pool image scores in each space (the pixel space keeps the peak).
SPACE_POOLING = {"pixel": "max", "encoder": "peak+mean"}


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


def profile_scorer(name: str, settings: TrainConfig, space: str) -> Scorer:
    """A fresh scorer as a new profile of ``space`` makes it: sized by ``settings``, pooling as the space pools."""
    return make_scorer(name, settings).use_pooling(SPACE_POOLING[space])
