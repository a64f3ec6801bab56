"""Scanning many files: read, inspect in batches, and keep going past unreadable ones."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.records import InspectionResult, ScanOutcome
from radar_desktop.engine.jobs.inspection import InspectionOutOfMemory, Inspector, batches
from radar_desktop.sources.images import ImageReadError, read_image


THUMBNAIL_SIDE = 64


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A uint8 copy of an (H, W, C) float image at most ``THUMBNAIL_SIDE`` pixels on its long side."""
    h, w = image.shape[:2]
    scale = min(1.0, THUMBNAIL_SIDE / max(h, w))
    small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    small = small.reshape(small.shape[0], small.shape[1], -1)
    return np.round(np.clip(small, 0, 1) * 255).astype(np.uint8)


def inspect_each_if_needed(
    inspector: Inspector, images: Sequence[np.ndarray], paths: Sequence[Path]
) -> list[InspectionResult | str]:
    """Results for a batch; if one image does not fit in memory even alone, each image is tried on its
    own and the ones that fail get the reason (a string) instead of a result."""
    if not images:
        return []
    try:
        return list(inspector.inspect(images, [str(p) for p in paths]))
    except InspectionOutOfMemory:
        pass
    outcomes: list[InspectionResult | str] = []
    for image, path in zip(images, paths):
        try:
            outcomes.extend(inspector.inspect([image], [str(path)]))
        except InspectionOutOfMemory as error:
            outcomes.append(str(error))
    return outcomes


def scan_files(
    inspector: Inspector,
    paths: Sequence[Path],
    *,
    batch_size: int = 4,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> Iterator[ScanOutcome]:
    """Yield one outcome per path, in order; cancellation is checked between batches."""
    cancel = cancel or CancelToken()
    done = 0
    for chunk in batches(list(paths), batch_size):
        cancel.raise_if_cancelled()
        images, readable, failures = [], [], {}
        for path in chunk:
            began = time.perf_counter()
            try:
                images.append(read_image(path, inspector.model.config.channels))
                readable.append(path)
            except ImageReadError as error:
                failures[path] = ScanOutcome(str(path), None, str(error), (time.perf_counter() - began) * 1000)
        results = iter(inspect_each_if_needed(inspector, images, readable))
        thumbnails = iter([thumbnail(image) for image in images])
        for path in chunk:
            if path in failures:
                yield failures[path]
                continue
            result, small = next(results), next(thumbnails)
            if isinstance(result, str):
                yield ScanOutcome(str(path), None, result, 0.0, small)
            else:
                yield ScanOutcome(str(path), result, None, result.timings.total_ms, small)
        done += len(chunk)
        progress(done / len(paths), f"{done}/{len(paths)} images")
