"""What every scorer does with the maps it makes: edges, pooling, calibration, the read scale, its state.

A scorer turns one forward output into anomaly maps (:meth:`Scorer.maps`). This base class puts them on
good images' scale near the edges (when the profile learns that), crops them to each image's content,
pools an image score, calibrates thresholds and outline levels on held-back good images, and keeps
everything it learnt as plain arrays, saved as safetensors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import torch

from radar_desktop.core.calibration import REVIEW_FALSE_REJECT_RATE, calibrate_thresholds, normal_tail_threshold
from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.edge_statistics import EDGE_STATS_KEY, EdgeAccumulator, EdgeStatistics
from radar_desktop.core.inspection_area import masked_map
from radar_desktop.core.maps import gaussian_blur
from radar_desktop.core.pooling import POOL_STATS_KEY, POOLINGS, block_parts, combine_blocks, part_statistics
from radar_desktop.core.regional_scale import REGIONAL_KEY, RegionalAccumulator, RegionalScale
from radar_desktop.core.regions import OutlineLevels
from radar_desktop.core.score_scale import SCALE_KEY, ScoreScale
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.config import TrainConfig
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.preprocess import crop_content
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.tiling import merge_views

#: Each outlined part of a new profile's map is cut back to where it reaches this share of its own peak
#: (the defect's width at half its height): a strong defect lights the encoder's whole receptive field
#: around it, and the demo's scratches were outlined over a third of the image (docs/METHOD_NOTES.md).
OUTLINE_PEAK_SHARE = 0.5


@dataclass(frozen=True)
class Calibration:
    """A scorer's thresholds, the held-back good scores they came from, and where its maps are outlined."""

    thresholds: Thresholds
    good_scores: np.ndarray
    map_range: tuple[float, float]
    score_is_map_peak: bool = True  # else the map is outlined at ``outline`` (or, without it, good peaks' mean)
    outline: OutlineLevels | None = None
    parts: tuple[str, ...] = ()  # what the score is made of, by label
    read_scale: bool = False  # scores read 0 for a typical good part, 1 at the NOK line


class Scorer(ABC):
    """Base class; subclasses set ``name``, ``label`` and ``description`` and implement :meth:`maps`."""

    name: str
    #: What a technician reads where a score's parts are listed.
    label: str = ""
    description: str
    #: True for scorers that read the U-Net block features (they cost memory, so are only kept on demand).
    reads_features: bool = False
    #: True for scorers that read the predicted noise; without them the pass stops at the last feature block.
    reads_noise: bool = True
    #: True for scorers that read the deterministic clean step (:attr:`ForwardOutput.clean_noise`).
    reads_clean_step: bool = False

    #: True when the image score is the map's maximum, so the NOK threshold also outlines defects on the map.
    pooled_from_map: bool = True
    #: How the image score comes from the map: ``max`` (its peak) or ``peak+mean`` (see :mod:`pooling`).
    pooling: str = "max"

    #: Cap on held-back images used for calibration (None: all); for scorers that are slow per image.
    max_calibration_images: int | None = None

    def __init__(self) -> None:
        self._calibration_scores: list[float] = []
        self._calibration_parts: list[np.ndarray] = []  # per image: (blocks, parts)
        self._map_low: list[float] = []
        self._map_high: list[float] = []
        self._pool_stats: np.ndarray | None = None  # (2, parts): good images' mean and std of each part
        self._scale = ScoreScale()  # pooled scores as read: 0 a typical good part, 1 the NOK line
        self._edges: EdgeStatistics | None = None
        self._edge_band: int | None = None  # set when this scorer is to learn good maps near the edges
        self._edge_accumulator: EdgeAccumulator | None = None
        self._regional: RegionalScale | None = None
        self._regional_share: float | None = None  # set when this scorer is to show its maps at two scales
        self._regional_accumulator: RegionalAccumulator | None = None

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

    def use_edge_statistics(self, band: int) -> "Scorer":
        """Learn how good maps look near the edges, in bands of ``band`` working pixels (a new profile's
        choice; the statistics are saved with the state)."""
        self._edge_band = band
        return self

    @property
    def learns_edges(self) -> bool:
        """Whether calibration should show this scorer good training maps for its edge statistics."""
        return self._edge_band is not None

    def use_regional_scale(self, share: float) -> "Scorer":
        """Show maps read at two scales, the pixel's and a neighbourhood whose sigma is ``share`` of the
        working square (:mod:`core.regional_scale`; a new profile's choice, saved with the state). Scores
        stay pooled from the pixel-scale map."""
        self._regional_share = share
        return self

    @property
    def learns_regional(self) -> bool:
        """Whether calibration should show this scorer good maps for its regional scale."""
        return self._regional_share is not None

    @property
    def score_is_map_peak(self) -> bool:
        """Whether the image score is a value of the map, so the NOK threshold also outlines defects."""
        return self.pooled_from_map and self.pooling == "max"

    def observe_good(self, model: RadarModel, output: ForwardOutput) -> None:
        """Learn from a batch of good training images (default: nothing to learn)."""

    def finish_good(self, cancel: CancelToken | None = None, progress: ProgressFn = no_progress) -> None:
        """Finalise what was learnt from good images; ``progress`` hears of any long step."""

    def observe_edges(self, model: RadarModel, output: ForwardOutput) -> None:
        """Add a batch of good training images' maps to the edge statistics (after :meth:`finish_good`)."""
        if self._edge_accumulator is None:
            self._edge_accumulator = EdgeAccumulator(self._edge_band)
        for anomaly_map, placement in zip(self.maps(model, output), output.placements):
            self._edge_accumulator.add(crop_content(anomaly_map, placement))

    def finish_edges(self) -> None:
        self._edges = self._edge_accumulator.finish()
        self._edge_accumulator = None

    def observe_regional(self, model: RadarModel, output: ForwardOutput) -> None:
        """Add a batch of good images' maps to the regional scale's statistics (after :meth:`finish_edges`)."""
        if self._regional_accumulator is None:
            self._regional_accumulator = RegionalAccumulator(self._regional_share * model.config.image_size)
        for content_map in self.content_maps(model, output):
            self._regional_accumulator.add(content_map)

    def finish_regional(self) -> None:
        self._regional = self._regional_accumulator.finish()
        self._regional_accumulator = None

    def shown(self, maps: list[np.ndarray], mask: np.ndarray | None = None) -> list[np.ndarray]:
        """The maps as a profile shows and outlines them: read at two scales where this scorer has learnt
        that (else as they are), masked pixels at the median of the inspected ones."""
        if self._regional is None:
            return maps
        return [masked_map(self._regional.apply(m), mask) for m in maps]

    @abstractmethod
    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        """Anomaly maps (B, S, S) at working resolution, padding included."""

    def read_maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        """:meth:`maps`, each put on good pixels' scale for its distance from the content's edges when
        this scorer has learnt that (else as they are)."""
        maps = self.maps(model, output)
        if self._edges is None:
            return maps
        return np.stack([self._edges.normalise(m, (p.top, p.left, p.height, p.width)) for m, p in zip(maps, output.placements)])

    def content_maps(self, model: RadarModel, output: ForwardOutput) -> list[np.ndarray]:
        """One anomaly map per image, cropped to its content (padding never counts); a tiled image's
        tiles merged into one map at its working scale."""
        squares = [crop_content(m, p) for m, p in zip(self.read_maps(model, output), output.placements)]
        return merge_views(squares, output.grids)

    def pool(self, anomaly_map: np.ndarray, block: int | None = None) -> float:
        """Image score from one content map: its maximum, or the pooled parts weighed by good images, block
        by block for a map larger than ``block`` (the working square's side; see :mod:`core.pooling`)."""
        if self.pooling == "max":
            return float(anomaly_map.max())
        if self._pool_stats is None:
            raise RuntimeError(f"the {self.name} scorer has not been calibrated")
        return float(self._scale.apply(combine_blocks(block_parts(anomaly_map, block), self._pool_stats)))

    def score(
        self, model: RadarModel, output: ForwardOutput, mask: np.ndarray | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Content maps and image scores for one batch; ``mask`` (nonzero: inspected) is applied before pooling."""
        return self.score_maps(self.content_maps(model, output), mask, model.config.image_size)

    def score_maps(
        self, content_maps: list[np.ndarray], mask: np.ndarray | None = None, block: int | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """:meth:`score` for content maps made already, pooled in blocks of ``block`` (see :meth:`pool`);
        the maps come back as :meth:`shown`."""
        maps = [masked_map(m, mask) for m in content_maps]
        return self.shown(maps, mask), np.array([self.pool(m, block) for m in maps], dtype=np.float64)

    def score_with_parts(
        self, model: RadarModel, output: ForwardOutput, mask: np.ndarray | None = None
    ) -> tuple[list[np.ndarray], np.ndarray, list[dict[str, float]]]:
        """:meth:`score`, and for each image what its score is made of (a scorer of one part: nothing)."""
        maps, scores = self.score(model, output, mask)
        return maps, scores, [{} for _ in maps]

    def observe_calibration(self, model: RadarModel, output: ForwardOutput) -> None:
        """Score a batch of held-back good images for calibration."""
        self.observe_calibration_maps(self.content_maps(model, output), model.config.image_size)

    def observe_calibration_maps(self, maps: list[np.ndarray], block: int | None = None) -> None:
        """:meth:`observe_calibration` for content maps made already, pooled in blocks of ``block``."""
        self._note_maps(self.shown(maps))
        if self.pooling == "max":
            self._calibration_scores.extend(float(m.max()) for m in maps)
        else:
            self._calibration_parts.extend(block_parts(m, block) for m in maps)

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

    def outline_levels(self) -> OutlineLevels | None:
        """Where a flagged image's map is outlined, for a scorer that pools its peak and mean.

        A region grows from a seed where the map goes higher than good parts' maps go (their maxima's
        upper tolerance bound at the REVIEW rate; or the image's own peak) down to halfway between that
        and the typical good peak. On MTD's tuning half that outlined one region on 88% of flagged
        defective tiles, over the defect on 79%, with region areas close to the defects' (pixel precision
        0.41, recall 0.33); at good peaks' mean alone, 4.5 regions per flagged tile, mostly at the edges
        (docs/METHOD_NOTES.md). None where the score is the map's peak (the NOK threshold outlines).
        """
        if self._pool_stats is None:
            return None
        # the typical good peak, on the scale of the maps shown
        typical = float(self._pool_stats[0][0]) if self._regional is None else float(np.mean(self._map_high))
        high = max(normal_tail_threshold(np.asarray(self._map_high), REVIEW_FALSE_REJECT_RATE), typical)
        share = OUTLINE_PEAK_SHARE if self.learns_edges else 0.0  # maps whose 0 is a typical good pixel
        return OutlineLevels(low=(typical + high) / 2, high=high, share=share)

    def calibration(self) -> Calibration:
        """Thresholds, good scores, display range and outline levels, once held-back images were seen."""
        thresholds, scores = self.finish_calibration()
        return Calibration(
            thresholds, scores, self.map_range(), self.score_is_map_peak, self.outline_levels(), self.part_labels(),
            read_scale=self._pool_stats is not None,
        )

    def part_labels(self) -> tuple[str, ...]:
        """What this scorer's score is made of, as a technician reads it."""
        return (self.label,)

    def components(self) -> dict[str, "Scorer"]:
        """Scorers this one is made of, by name (each calibrated and saved as a scorer of its own)."""
        return {}

    def finish_calibration(self) -> tuple[Thresholds, np.ndarray]:
        """Thresholds and the held-back good scores they came from (pooled scores on the read scale)."""
        if self.pooling == "max":
            scores = np.asarray(self._calibration_scores)
        else:
            self._pool_stats = part_statistics(np.concatenate(self._calibration_parts))
            raw = np.array([combine_blocks(p, self._pool_stats) for p in self._calibration_parts])
            self._scale = ScoreScale.from_calibration(raw, self.thresholds_for(raw).nok)
            scores = self._scale.apply(raw)
        return self.thresholds_for(scores), scores

    def thresholds_for(self, good_scores: np.ndarray) -> Thresholds:
        """Thresholds from held-back good scores at the calibration's target false-reject rates."""
        # pooled scores are z-scores against good images: a normal tail gives thresholds stable run to run,
        # and the empirical cut keeps a heavy tail's share of held-back scores above them within the promise
        return calibrate_thresholds(good_scores, tail="empirical" if self.pooling == "max" else "covering")

    def full_state(self) -> dict[str, np.ndarray]:
        """Everything to save with the profile: the learnt arrays, the edge statistics and the regional
        scale when learnt and, when not ``max``, the pooling and the scale its scores are read on."""
        state = self.state()
        if self._pool_stats is not None:
            state[POOL_STATS_KEY] = self._pool_stats
            state[SCALE_KEY] = self._scale.to_array()
        if self._edges is not None:
            state[EDGE_STATS_KEY] = self._edges.to_array()
        if self._regional is not None:
            state[REGIONAL_KEY] = self._regional.to_array()
        return state

    def load_full_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`full_state` returned. A state without pooling statistics pools the max;
        one without a scale or edge statistics (made before they existed) keeps its scores as they were,
        and one without a regional scale shows its maps as they were."""
        state = dict(state)
        stats = state.pop(POOL_STATS_KEY, None)
        if stats is not None:
            self.pooling, self._pool_stats = "peak+mean", stats
        scale = state.pop(SCALE_KEY, None)
        if scale is not None:
            self._scale = ScoreScale.from_array(scale)
        edges = state.pop(EDGE_STATS_KEY, None)
        if edges is not None:
            self._edges = EdgeStatistics.from_array(edges)
        regional = state.pop(REGIONAL_KEY, None)
        if regional is not None:
            self._regional = RegionalScale.from_array(regional)
        self.load_state(state)

    def state(self) -> dict[str, np.ndarray]:
        """Learnt arrays, to save with the profile."""
        return {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`state` returned."""


def blurred(maps: torch.Tensor) -> np.ndarray:
    """(B, S, S) maps on any device as numpy, each smoothed by the 5 x 5 Gaussian."""
    return np.stack([gaussian_blur(m) for m in maps.float().cpu().numpy()])
