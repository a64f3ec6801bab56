"""Every scorer by name, which ones each space can feed, and how a new profile makes them."""

from __future__ import annotations

from radar_desktop.core.regional_scale import REGIONAL_SIGMA
from radar_desktop.engine.config import ModelConfig, TrainConfig
from radar_desktop.engine.scorers.base import Scorer
from radar_desktop.engine.scorers.fused import FusedScorer
from radar_desktop.engine.scorers.memory_bank import FeatureScorer
from radar_desktop.engine.scorers.noise import CleanStepScorer, ResidualScorer
from radar_desktop.engine.scorers.paper import PaperScorer
from radar_desktop.engine.scorers.reconstruction import ReconScorer
from radar_desktop.engine.scorers.segment import SegmentScorer

#: The default scorer of a new profile in each space (chosen by measurement, docs/BENCHMARKS.md).
DEFAULT_SCORERS = {"pixel": "segment", "encoder": "fused"}

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
#: Scorers whose maps a new profile of tiled images shows at two scales (:mod:`core.regional_scale`), by
#: space: the encoder space's default, where it was measured. Images squeezed to one square keep the
#: pixel-scale map (on MTD's squares the two scales traded AUPRO for pixel AUROC, docs/METHOD_NOTES.md).
REGIONAL_SCORERS = {"encoder": ("fused",)}


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


def profile_scorers(names: tuple[str, ...], settings: TrainConfig, config: ModelConfig) -> list[Scorer]:
    """The scorers a new profile of ``config`` calibrates for ``names``: a name that is a part of another
    one's (the fused scorer's memory bank and clean step) is that scorer's own part, so there is one
    memory bank and one search per image. Each part is still calibrated and saved under its own name."""
    scorers = [profile_scorer(name, settings, config) for name in names]
    parts = {name for scorer in scorers for name in scorer.components()}
    return [scorer for scorer in scorers if scorer.name not in parts]


def profile_scorer(name: str, settings: TrainConfig, config: ModelConfig) -> Scorer:
    """A fresh scorer as a new profile of ``config`` makes it: sized by ``settings``, pooling as its space
    pools, learning good maps near the edges where the space does, and showing the maps of tiled images
    at two scales where that was measured."""
    space = config.space
    scorer = make_scorer(name, settings).use_pooling(SPACE_POOLING[space])
    if space in SPACE_EDGE_BAND:
        scorer.use_edge_statistics(SPACE_EDGE_BAND[space])
    if config.resize_mode == "tiles" and name in REGIONAL_SCORERS.get(space, ()):
        scorer.use_regional_scale(REGIONAL_SIGMA)
    return scorer
