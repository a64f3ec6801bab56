"""Image-AUROC difference between two scorers of one `accuracy.py` run, with a paired bootstrap interval.

Both scorers scored the same test images, so resampling images (with replacement) and recomputing both
AUROCs on each resample gives the spread of their difference; reads the JSON's per-image scores, where
a name under ``good/`` is a good image.

    python benchmarks/paired_auroc.py accuracy.json encoder/fused encoder/features [--dataset mono] [--resamples 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from radar_desktop.core.metrics import auroc  # noqa: E402


def scores_of(rows: list[dict], scorer: str, dataset: str | None) -> dict[str, float]:
    """The per-image test scores of ``scorer`` (on ``dataset`` when a run holds several)."""
    for row in rows:
        if row["scorer"] == scorer and dataset in (None, row.get("dataset")):
            return row["test_scores"]
    raise SystemExit(f"no row for scorer {scorer!r}" + (f" on {dataset!r}" if dataset else ""))


def paired_difference(labels: np.ndarray, first: np.ndarray, second: np.ndarray, resamples: int, seed: int = 0) -> tuple[float, float, float]:
    """(AUROC(first) - AUROC(second), and the 2.5% and 97.5% points of that difference over resamples)."""
    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(resamples):
        pick = rng.integers(0, len(labels), len(labels))
        if labels[pick].min() != labels[pick].max():  # both classes drawn
            differences.append(auroc(labels[pick], first[pick]) - auroc(labels[pick], second[pick]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return auroc(labels, first) - auroc(labels, second), float(low), float(high)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", type=Path)
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--dataset", help="the dataset's name, when the run measured several")
    parser.add_argument("--resamples", type=int, default=2000)
    args = parser.parse_args()
    rows = json.loads(args.json.read_text())["rows"]
    first, second = scores_of(rows, args.first, args.dataset), scores_of(rows, args.second, args.dataset)
    names = sorted(first)
    labels = np.array([0 if name.startswith("good/") else 1 for name in names])
    difference, low, high = paired_difference(
        labels, np.array([first[n] for n in names]), np.array([second[n] for n in names]), args.resamples
    )
    print(f"{args.first} - {args.second}: image AUROC {difference:+.4f}, 95% interval [{low:+.4f}, {high:+.4f}] "
          f"({int((labels == 0).sum())} good, {int(labels.sum())} defective test images, {args.resamples} resamples)")


if __name__ == "__main__":
    main()
