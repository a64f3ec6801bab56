"""Datasets in the MVTec AD layout: ``test/good``, ``test/<defect>``, ``ground_truth/<defect>/<stem>_mask.png``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from radar_desktop.sources.images import ImageReadError, list_images, read_image


@dataclass(frozen=True)
class LabelledImage:
    """A test image, its defect class (``good`` for normal) and its mask path if any."""

    path: Path
    defect: str
    mask_path: Path | None

    @property
    def is_anomalous(self) -> bool:
        return self.defect != "good"

    def read_mask(self, shape: tuple[int, int]) -> np.ndarray:
        """Boolean mask (all false for good images or a missing mask file)."""
        if self.mask_path is None:
            return np.zeros(shape, dtype=bool)
        mask = read_image(self.mask_path, 1)[:, :, 0] >= 0.5
        if mask.shape != shape:
            raise ImageReadError(f"{self.mask_path.name}: mask size {mask.shape} differs from image size {shape}")
        return mask


def labelled_test_images(dataset: Path) -> list[LabelledImage]:
    """Every test image of an MVTec-layout folder, good ones first, then defects by class."""
    test = dataset / "test"
    if not test.is_dir():
        raise ImageReadError(f"{dataset}: not an MVTec-layout dataset (no test/ folder)")
    classes = sorted((p.name for p in test.iterdir() if p.is_dir()), key=lambda n: (n != "good", n))
    items = []
    for defect in classes:
        for path in list_images(test / defect):
            mask = dataset / "ground_truth" / defect / f"{path.stem}_mask.png"
            items.append(LabelledImage(path, defect, mask if defect != "good" and mask.is_file() else None))
    if not any(i.is_anomalous for i in items) or all(i.is_anomalous for i in items):
        raise ImageReadError(f"{dataset}: evaluation needs both test/good and at least one defect folder")
    return items


def tuning_and_report_halves(items: list[LabelledImage]) -> tuple[list[LabelledImage], list[LabelledImage]]:
    """A fixed split of test images into a half to tune methods on and a half to report.

    Per class, by file name: the 1st, 3rd, 5th ... image is for tuning, the 2nd, 4th ... for the report,
    so both halves hold every class in the same proportions and the split never depends on scores.
    """
    tuning, report = [], []
    by_class: dict[str, list[LabelledImage]] = {}
    for item in items:
        by_class.setdefault(item.defect, []).append(item)
    for _, members in sorted(by_class.items()):
        for index, item in enumerate(sorted(members, key=lambda i: i.path.name)):
            (tuning if index % 2 == 0 else report).append(item)
    return tuning, report
