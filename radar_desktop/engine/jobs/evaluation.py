"""Evaluating several scorers of one model on a labelled dataset, sharing each forward pass."""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.metrics import aupro, auroc, best_f1_threshold, threshold_metrics
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.jobs.inspection import batches, forward_batch, working_batch
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.preprocess import to_shape
from radar_desktop.engine.scorers.base import Scorer
from radar_desktop.sources.images import ImageReadError, read_image
from radar_desktop.sources.mvtec import LabelledImage

#: Pixel metrics are computed on maps and masks shrunk to at most this many pixels on the long side.
PIXEL_METRIC_SIDE = 128


@dataclass(frozen=True)
class ScorerEvaluation:
    """Metrics of one scorer on one dataset."""

    scorer: str
    image_auroc: float
    pixel_auroc: float
    aupro: float
    # each defect kind's pixels against every good pixel: the pooled pixel AUROC weighs kinds by their area
    pixel_auroc_by_defect: dict[str, float]
    at_threshold: dict[str, float]  # at the calibrated NOK threshold
    at_review: dict[str, float]  # at the calibrated REVIEW threshold (anything not OK counts as flagged)
    best_f1: dict[str, float]
    ms_per_image: float
    scores: dict[str, float]

    def summary(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "scores"}


def _shrink(array: np.ndarray, interpolation: int) -> np.ndarray:
    h, w = array.shape
    scale = min(1.0, PIXEL_METRIC_SIDE / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(array.astype(np.float32), size, interpolation=interpolation)


def _score_batch(model, scorers, readable, scores, pixel_maps, seconds) -> None:
    """Run one shared forward pass and let every scorer read it; appends to the accumulators."""
    batch = working_batch([image for _, image, _ in readable], model)
    began = time.perf_counter()
    output = forward_batch(model, batch, scorers)
    shared = time.perf_counter() - began
    for scorer in scorers:
        began = time.perf_counter()
        maps, image_scores = scorer.score(model, output)
        seconds[scorer.name] += shared + time.perf_counter() - began
        scores[scorer.name].extend(image_scores.tolist())
        for content_map, shape in zip(maps, batch.shapes):
            pixel_maps[scorer.name].append(_shrink(to_shape(content_map, shape), cv2.INTER_AREA))


def evaluate_scorers(
    model: RadarModel,
    scorers: list[Scorer],
    thresholds: dict[str, Thresholds],
    items: list[LabelledImage],
    *,
    batch_size: int = 8,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> tuple[list[ScorerEvaluation], list[tuple[str, str]]]:
    """Metrics per scorer, and (file, reason) for every test file that could not be read."""
    cancel = cancel or CancelToken()
    channels = model.config.channels
    labels, masks, skipped, names, defects = [], [], [], [], []
    scores = {s.name: [] for s in scorers}
    pixel_maps = {s.name: [] for s in scorers}
    seconds = {s.name: 0.0 for s in scorers}
    for chunk in batches(items, batch_size):
        cancel.raise_if_cancelled()
        readable = []
        for item in chunk:
            try:
                image = read_image(item.path, channels)
                readable.append((item, image, item.read_mask(image.shape[:2])))
            except ImageReadError as error:
                skipped.append((str(item.path), str(error)))
        if readable:
            _score_batch(model, scorers, readable, scores, pixel_maps, seconds)
        for item, _, mask in readable:
            labels.append(item.is_anomalous)
            masks.append(_shrink(mask, cv2.INTER_AREA) >= 0.5)
            names.append(f"{item.defect}/{item.path.name}")
            defects.append(item.defect)
        progress((len(labels) + len(skipped)) / len(items), f"{len(labels) + len(skipped)}/{len(items)} images")
    results = []
    pixel_truth = np.concatenate([m.ravel() for m in masks]) if masks else np.zeros(0, bool)
    for scorer in scorers:
        values = np.asarray(scores[scorer.name])
        flat = np.concatenate([m.ravel() for m in pixel_maps[scorer.name]]) if masks else np.zeros(0)
        results.append(
            ScorerEvaluation(
                scorer=scorer.name,
                image_auroc=auroc(labels, values),
                pixel_auroc=auroc(pixel_truth, flat),
                aupro=aupro(masks, pixel_maps[scorer.name]),
                pixel_auroc_by_defect=pixel_auroc_by_defect(masks, pixel_maps[scorer.name], defects),
                at_threshold=threshold_metrics(labels, values, thresholds[scorer.name].nok).to_dict(),
                at_review=threshold_metrics(labels, values, thresholds[scorer.name].review).to_dict(),
                best_f1=best_f1_threshold(labels, values).to_dict(),
                ms_per_image=1000 * seconds[scorer.name] / max(1, len(labels)),
                scores=dict(zip(names, values.tolist())),
            )
        )
    return results, skipped


def pixel_auroc_by_defect(masks: list[np.ndarray], maps: list[np.ndarray], defects: list[str]) -> dict[str, float]:
    """Pixel AUROC of each defect kind's marked pixels against the unmarked pixels of every image.

    The pooled pixel AUROC counts pixels, so one kind of large defects can set it alone; this shows
    whether small ones (cracks, pores) are outlined as well as large ones.
    """
    if not masks:
        return {}
    good = np.concatenate([m[~mask].ravel() for m, mask in zip(maps, masks)])
    result = {}
    for kind in sorted({d for d, mask in zip(defects, masks) if mask.any()}):
        marked = np.concatenate([m[mask].ravel() for m, mask, d in zip(maps, masks, defects) if d == kind])
        result[kind] = auroc(np.r_[np.zeros(good.size, bool), np.ones(marked.size, bool)], np.r_[good, marked])
    return result
