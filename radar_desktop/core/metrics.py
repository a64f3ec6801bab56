"""Detection metrics: image and pixel AUROC, AUPRO, and threshold metrics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from sklearn.metrics import roc_auc_score


def auroc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve; NaN when only one class is present."""
    labels = np.asarray(labels).astype(bool).ravel()
    if labels.all() or not labels.any():
        return float("nan")
    return float(roc_auc_score(labels, np.asarray(scores, dtype=np.float64).ravel()))


@dataclass(frozen=True)
class ThresholdMetrics:
    """The paper's metrics at one threshold; anomaly is the positive class."""

    threshold: float
    accuracy: float
    precision: float
    recall: float
    f1: float
    false_reject_rate: float  # share of the good images flagged

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


def threshold_metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> ThresholdMetrics:
    """Accuracy, precision, recall and F1 when ``score > threshold`` predicts an anomaly."""
    truth = np.asarray(labels).astype(bool)
    predicted = np.asarray(scores) > threshold
    tp = int(np.sum(predicted & truth))
    fp = int(np.sum(predicted & ~truth))
    fn = int(np.sum(~predicted & truth))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = float(np.mean(predicted == truth)) if truth.size else float("nan")
    false_rejects = fp / int(np.sum(~truth)) if np.any(~truth) else float("nan")
    return ThresholdMetrics(float(threshold), accuracy, precision, recall, f1, false_rejects)


def best_f1_threshold(labels: np.ndarray, scores: np.ndarray) -> ThresholdMetrics:
    """The threshold metrics at the F1-optimal cut (needs defect examples, so report-only)."""
    candidates = np.unique(np.asarray(scores, dtype=np.float64))
    cuts = np.concatenate([[candidates[0] - 1.0], candidates])
    results = [threshold_metrics(labels, scores, c) for c in cuts]
    return max(results, key=lambda m: m.f1)


def aupro(masks: list[np.ndarray], maps: list[np.ndarray], max_fpr: float = 0.3, steps: int = 100) -> float:
    """Area under the per-region-overlap curve up to ``max_fpr``, normalised to 0..1.

    ``masks`` are boolean ground truths, ``maps`` the anomaly maps of the same shapes.
    """
    all_scores = np.concatenate([m.ravel() for m in maps])
    all_truth = np.concatenate([m.ravel() for m in masks]).astype(bool)
    if all_truth.all() or not all_truth.any():
        return float("nan")
    normal = all_scores[~all_truth]
    # thresholds evenly spaced in false-positive rate over the normal pixels
    fprs = np.linspace(0.0, max_fpr, steps + 1)
    cuts = np.quantile(normal, 1.0 - fprs)
    overlaps = np.zeros_like(fprs)
    regions = 0
    for mask, amap in zip(masks, maps):
        labelled, count = ndimage.label(mask.astype(bool))
        for region in range(1, count + 1):
            values = amap[labelled == region]
            overlaps += (values[None, :] > cuts[:, None]).mean(axis=1)
            regions += 1
    if regions == 0:
        return float("nan")
    pro = overlaps / regions
    return float(np.trapezoid(pro, fprs) / max_fpr)

