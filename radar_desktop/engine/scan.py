"""Scanning many files: read, inspect in batches, and keep going past unreadable ones."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.records import ScanOutcome
from radar_desktop.engine.inspection import Inspector, batches
from radar_desktop.sources.images import ImageReadError, read_image


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
        results = iter(inspector.inspect(images, [str(p) for p in readable]) if images else [])
        for path in chunk:
            if path in failures:
                yield failures[path]
            else:
                result = next(results)
                yield ScanOutcome(str(path), result, None, result.timings.total_ms)
        done += len(chunk)
        progress(done / len(paths), f"{done}/{len(paths)} images")
