"""Keeping a live frame: its image and heatmap overlay as PNG files, and a scan outcome for the session."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from radar_desktop.core.records import ScanOutcome
from radar_desktop.engine.jobs.live import LiveResult
from radar_desktop.engine.jobs.scan import thumbnail
from radar_desktop.reports.heatmap_image import colorize, overlay, save_png, to_bgr8


def save_snapshot(live: LiveResult, folder: Path, map_range: tuple[float, float]) -> ScanOutcome:
    """Write ``<time>_<frame>_<verdict>.png`` (the frame as inspected) and ``…_heatmap.png`` into
    ``folder``; the returned outcome points at the frame file, so reports can picture it."""
    now = datetime.now()
    stem = f"{now:%Y%m%d-%H%M%S-%f}_frame{live.frame_index:06d}_{live.result.verdict.value}"
    frame_path = folder / f"{stem}.png"
    save_png(to_bgr8(live.image), frame_path)
    save_png(overlay(live.image, colorize(live.result.anomaly_map, *map_range)), folder / f"{stem}_heatmap.png")
    result = replace(live.result, source=str(frame_path))
    return ScanOutcome(str(frame_path), result, None, live.inference_ms, thumbnail(live.image))
