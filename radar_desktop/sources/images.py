"""Reading image files into float arrays, with one clear message for every way it can fail."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})

class ImageReadError(Exception):
    """An image could not be read; the message says why, for the user."""


def read_image(path: str | os.PathLike[str], channels: int) -> np.ndarray:
    """Read ``path`` as float32 in 0..1 with shape (H, W, channels); ``channels`` is 1 or 3.

    Handles 8/16-bit and float images, alpha and palettes; non-ASCII paths work on every OS.
    """
    return to_float(decode_image(path), channels)


def decode_image(path: str | os.PathLike[str]) -> np.ndarray:
    """The image in ``path`` as decoded (its own depth and channels, OpenCV order)."""
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except PermissionError:
        raise ImageReadError("permission denied") from None
    except IsADirectoryError:
        raise ImageReadError("is a folder, not an image") from None
    except OSError as error:
        raise ImageReadError(f"cannot read file ({error.strerror or error})") from None
    if data.size == 0:
        raise ImageReadError("file is empty")
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise ImageReadError("not a readable image (corrupt, truncated or unsupported format)")
    return image


def to_float(image: np.ndarray, channels: int) -> np.ndarray:
    """A decoded image (OpenCV channel order, any depth, alpha or not) as float32 0..1, (H, W, channels)."""
    if image.dtype == np.uint8:
        scaled = image.astype(np.float32) / 255.0
    elif image.dtype == np.uint16:
        scaled = image.astype(np.float32) / 65535.0
    else:
        scaled = image.astype(np.float32)
        low, high = float(np.nanmin(scaled)), float(np.nanmax(scaled))
        scaled = np.nan_to_num((scaled - low) / (high - low) if high > low else scaled * 0.0)
    if scaled.ndim == 2:
        scaled = scaled[:, :, None]
    if scaled.shape[2] == 4:  # composite alpha over black, the way a viewer shows it
        scaled = scaled[:, :, :3] * scaled[:, :, 3:4]
    if scaled.shape[2] == 2:  # grey + alpha
        scaled = scaled[:, :, :1] * scaled[:, :, 1:2]
    if channels == 1 and scaled.shape[2] == 3:
        scaled = cv2.cvtColor(scaled, cv2.COLOR_BGR2GRAY)[:, :, None]
    elif channels == 3 and scaled.shape[2] == 1:
        scaled = np.repeat(scaled, 3, axis=2)
    elif channels == 3:
        scaled = cv2.cvtColor(scaled, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(np.clip(scaled, 0.0, 1.0), dtype=np.float32)


def list_images(root: str | os.PathLike[str]) -> list[Path]:
    """Image files in a folder (sorted, not recursive), or the file itself.

    Raises :class:`ImageReadError` for a missing path or a folder with no images.
    """
    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise ImageReadError(f"{root}: no such file or folder")
    files = sorted(p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not p.is_dir())
    if not files:
        raise ImageReadError(f"{root}: the folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return files
