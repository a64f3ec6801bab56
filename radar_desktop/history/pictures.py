"""The pictures of a stored inspection: its image (the file if it is unchanged, else the stored thumbnail) and heatmap."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from radar_desktop.history.database import HistoryRow
from radar_desktop.history.recording import file_sha256
from radar_desktop.sources.images import ImageReadError, read_image


@dataclass(frozen=True)
class RowPictures:
    """What can still be shown of one inspection, as uint8 arrays in OpenCV's order.

    ``image`` is (H, W) grey or (H, W, 3) BGR, at most ``side`` px long, or None when neither the file nor
    a thumbnail is left; ``heatmap`` is the stored BGR heatmap at ``image``'s size (None without one);
    ``source`` says where the image came from, for a caption.
    """

    image: np.ndarray | None
    heatmap: np.ndarray | None
    source: str
    scale: float = 1.0  # the image's size over the inspected image's


def row_pictures(files_dir: Path, row: HistoryRow, side: int = 360) -> RowPictures:
    """Read a row's pictures: the original file when its SHA-256 still matches the record, else the thumbnail.

    ``files_dir`` is the database's picture folder (``HistoryDatabase.files_dir``); no SQL runs here, so
    any thread may call this.
    """
    record = row.record
    thumbnail = _read_png(_stored(files_dir, record.thumbnail_file))
    image, source = None, "no picture kept"
    if record.sha256 and Path(record.path).is_file() and file_sha256(record.path) == record.sha256:
        channels = 1 if thumbnail is not None and thumbnail.ndim == 2 else 3
        try:
            pixels = np.round(read_image(record.path, channels) * 255).astype(np.uint8)
        except ImageReadError:
            pixels = None
        if pixels is not None:
            image = pixels[:, :, 0] if channels == 1 else cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
            source = record.path
    if image is None and thumbnail is not None:
        image = thumbnail
        moved = "moved or changed" if Path(record.path).exists() else "no longer there"
        source = f"stored thumbnail (the file is {moved})"
    if image is None:
        return RowPictures(None, None, source)
    scale = min(1.0, side / max(image.shape[:2])) if source == record.path else side / max(image.shape[:2])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    heat = _read_png(_stored(files_dir, record.heatmap_file))
    if heat is not None:
        heat = cv2.resize(heat if heat.ndim == 3 else cv2.cvtColor(heat, cv2.COLOR_GRAY2BGR), size,
                          interpolation=cv2.INTER_LINEAR)
    inspected_width = record.width or image.shape[1]
    return RowPictures(small, heat, source, size[0] / inspected_width)


def _stored(files_dir: Path, relative: str | None) -> Path | None:
    return None if relative is None else files_dir / relative


def _read_png(path: Path | None) -> np.ndarray | None:
    if path is None:
        return None
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
