"""What one inspection leaves in the history: a record for the database, and its small picture files.

Building a record reads the inspected file (for its SHA-256) and writes two PNGs, so it belongs on a
worker thread (:class:`radar_desktop.history.writer.HistoryWriter`), never on the GUI thread.
"""

from __future__ import annotations

import json
import platform
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from radar_desktop.core.atomic import write_bytes_atomic
from radar_desktop.core.digest import file_sha256
from radar_desktop.core.records import ScanOutcome, login_name
from radar_desktop.core.verdict import Thresholds
from radar_desktop.reports.entries import VERDICTS, verdict_of
from radar_desktop.reports.heatmap_image import colorize

ORIGINS = ("folder", "files", "live", "snapshot", "cli-scan", "cli-report", "watch")
HEATMAP_SIDE = 128  # long side of the stored heatmap: enough to see where, small enough for 1M rows


@dataclass(frozen=True)
class HistoryRecord:
    """One inspection as the history stores it (what :meth:`HistoryDatabase.insert` takes).

    ``inspected_at`` is local time with its UTC offset; ``verdict`` is OK, REVIEW, NOK or ERROR (the
    file could not be inspected: ``message`` says why, ``score`` and ``sha256`` may be None).
    ``regions`` is the JSON text of :meth:`Region.to_json` records. ``heatmap_file`` and
    ``thumbnail_file`` are relative to the database's files folder (None: none kept).
    """

    inspected_at: str
    origin: str
    path: str
    verdict: str
    score: float | None = None
    operator: str = ""
    station: str = ""
    lot: str = ""
    sha256: str | None = None
    width: int | None = None
    height: int | None = None
    profile_name: str = ""
    profile_hash: str = ""
    scorer: str = ""
    review_threshold: float | None = None
    nok_threshold: float | None = None
    message: str = ""
    regions: str = "[]"
    milliseconds: float = 0.0
    heatmap_file: str | None = None
    thumbnail_file: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}")
        if self.origin not in ORIGINS:
            raise ValueError(f"origin {self.origin!r} is not one of {', '.join(ORIGINS)}")

    @property
    def name(self) -> str:
        """The file name of ``path`` (what the name filter searches)."""
        return Path(self.path).name or self.path

    def region_records(self) -> list[dict]:
        return json.loads(self.regions)


@dataclass(frozen=True)
class RecordContext:
    """Who, where and with what an inspection was made: the part of a record the outcome does not hold.

    ``scorer`` empty: the result's own. ``map_range`` is the calibration's (low, high) for colouring
    heatmaps (None: grey, scaled to each map's own range). ``mm_per_pixel`` sizes regions in mm.
    """

    origin: str
    profile_name: str = ""
    profile_hash: str = ""
    scorer: str = ""
    thresholds: Thresholds | None = None
    lot: str = ""
    operator: str = field(default_factory=login_name)
    station: str = field(default_factory=platform.node)
    mm_per_pixel: float | None = None
    map_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise ValueError(f"origin {self.origin!r} is not one of {', '.join(ORIGINS)}")


def thumbnail_png(thumbnail: np.ndarray) -> bytes:
    """PNG bytes of an (H, W, 1 or 3) uint8 RGB or grey thumbnail."""
    pixels = np.ascontiguousarray(thumbnail)
    if pixels.ndim == 3 and pixels.shape[2] >= 3:
        pixels = cv2.cvtColor(pixels[:, :, :3], cv2.COLOR_RGB2BGR)  # OpenCV writes BGR
    elif pixels.ndim == 3:
        pixels = pixels[:, :, 0]
    return _png(pixels)


def heatmap_png(anomaly_map: np.ndarray, map_range: tuple[float, float] | None) -> bytes:
    """PNG bytes of an anomaly map at most ``HEATMAP_SIDE`` px long: coloured in ``map_range``, else grey."""
    values = np.nan_to_num(np.asarray(anomaly_map, dtype=np.float32))
    h, w = values.shape[:2]
    scale = min(1.0, HEATMAP_SIDE / max(h, w, 1))
    small = cv2.resize(values, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    if map_range is not None:
        return _png(colorize(small, *map_range))
    low, high = float(small.min()), float(small.max())
    grey = np.clip((small - low) / max(high - low, 1e-12), 0.0, 1.0)
    return _png(np.round(grey * 255).astype(np.uint8))


def _png(pixels: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", pixels)
    if not ok:
        raise OSError("could not encode a PNG")
    return encoded.tobytes()


def _month(inspected_at: str) -> str:
    """``yyyy-mm`` of a record's time, so no folder of picture files grows past a month's worth."""
    try:
        return datetime.fromisoformat(inspected_at).strftime("%Y-%m")
    except ValueError:
        return datetime.now().strftime("%Y-%m")


def record_from_outcome(outcome: ScanOutcome, *, context: RecordContext, files_dir: Path | None) -> HistoryRecord:
    """The history record of one scan outcome; its thumbnail and heatmap PNGs are written under ``files_dir``.

    Files go to ``files_dir/<yyyy-mm>/<uuid>_thumb.png`` and ``_heat.png``, atomically; ``files_dir``
    None writes none. An unreadable file (no result) becomes an ERROR record with the reason as its
    message. Raises OSError (:class:`WriteError`) when a picture cannot be written.
    """
    result = outcome.result
    thresholds = context.thresholds
    stem = f"{_month(outcome.inspected_at)}/{uuid.uuid4().hex}"
    thumbnail_file = heatmap_file = None
    if files_dir is not None and outcome.thumbnail is not None:
        thumbnail_file = f"{stem}_thumb.png"
        write_bytes_atomic(files_dir / thumbnail_file, thumbnail_png(outcome.thumbnail))
    if files_dir is not None and result is not None:
        heatmap_file = f"{stem}_heat.png"
        write_bytes_atomic(files_dir / heatmap_file, heatmap_png(result.anomaly_map, context.map_range))
    regions = [] if result is None else [r.to_json(context.mm_per_pixel) for r in result.regions]
    height, width = (None, None) if result is None else result.anomaly_map.shape[:2]  # the map has the image's size
    return HistoryRecord(
        inspected_at=outcome.inspected_at,
        origin=context.origin,
        path=outcome.path,
        verdict=verdict_of(outcome),
        score=None if result is None else float(result.score),
        operator=context.operator,
        station=context.station,
        lot=context.lot,
        sha256=file_sha256(outcome.path),
        width=None if width is None else int(width),
        height=None if height is None else int(height),
        profile_name=context.profile_name,
        profile_hash=context.profile_hash,
        scorer=context.scorer or ("" if result is None else result.scorer),
        review_threshold=None if thresholds is None else float(thresholds.review),
        nok_threshold=None if thresholds is None else float(thresholds.nok),
        message=outcome.error or ("" if result is None else result.rule),
        regions=json.dumps(regions, ensure_ascii=False),
        milliseconds=float(outcome.milliseconds),
        heatmap_file=heatmap_file,
        thumbnail_file=thumbnail_file,
    )
