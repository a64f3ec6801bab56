"""Reading image files into float arrays, with one clear message for every way it can fail."""

from __future__ import annotations

import errno
import io
import os
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import BmpImagePlugin, JpegImagePlugin, PngImagePlugin, TiffImagePlugin

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
MAX_IMAGE_PIXELS = 100_000_000
"""Larger images are refused before decoding: one would take over 1.2 GB as float32 RGB."""

# Pillow reads these headers without decoding. Not its WebP reader: that allocates the whole canvas to open a file.
_HEADER_READERS = (
    PngImagePlugin.PngImageFile,
    JpegImagePlugin.JpegImageFile,
    TiffImagePlugin.TiffImageFile,
    BmpImagePlugin.BmpImageFile,
)


class ImageReadError(Exception):
    """An image could not be read; the message says why, for the user."""


def read_image(path: str | os.PathLike[str], channels: int) -> np.ndarray:
    """Read ``path`` as float32 in 0..1 with shape (H, W, channels); ``channels`` is 1 or 3.

    Handles 8/16-bit, integer and float images, alpha and palettes; non-ASCII paths work on every OS.
    """
    return to_float(decode_image(path), channels)


def decode_image(path: str | os.PathLike[str]) -> np.ndarray:
    """The image in ``path`` as decoded (its own depth and channels, OpenCV order; the first page of a TIFF).

    Images over ``MAX_IMAGE_PIXELS`` are refused from their header, before any pixel memory is taken.
    """
    data = _read_file(Path(path))
    if not data:
        raise ImageReadError("file is empty")
    size = _declared_size(data)
    if size is not None:
        _check_pixel_count(*size)
    try:
        image = None if _png_chunk_overruns(data) else cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:  # e.g. a header over OpenCV's own size limit
        image = None
    if image is None or image.size == 0:
        raise ImageReadError("not a readable image (corrupt, truncated or unsupported format)")
    _check_pixel_count(image.shape[1], image.shape[0])  # a header only OpenCV understood
    return image


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:
        raise ImageReadError("permission denied") from None
    except IsADirectoryError:
        raise ImageReadError("is a folder, not an image") from None
    except FileNotFoundError:
        raise ImageReadError("file not found (moved, deleted, or a broken link)") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ImageReadError("symbolic link loop (the link never reaches a file)") from None
        raise ImageReadError(f"cannot read file ({error.strerror or error})") from None


def _png_chunk_overruns(data: bytes) -> bool:
    """Whether a PNG chunk says it is longer than what is left of the file.

    OpenCV allocates a chunk's stated length before reading it: a damaged length in a file of a few
    hundred bytes took 4 GB and 5 seconds.
    """
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    at = 8
    while at + 8 <= len(data):
        length, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        at += 12 + length
        if kind == b"IEND":
            break
    return at > len(data)


def _declared_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG, TIFF, BMP or WebP header, without decoding; None if not recognised."""
    for reader in _HEADER_READERS:
        try:
            with warnings.catch_warnings():  # e.g. "Corrupt EXIF data": the file gets its own message below
                warnings.simplefilter("ignore")
                with reader(io.BytesIO(data)) as image:
                    return image.size
        except Exception:  # noqa: BLE001 - a corrupt header can raise anything here; OpenCV has the last word
            continue
    return _webp_size(data)


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the first chunk of a WebP file (lossy, lossless or extended)."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    kind = data[12:16]
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + (bits >> 14 & 0x3FFF)
    if kind == b"VP8 ":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    return None


def _check_pixel_count(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageReadError(
            f"image is {width} x {height} ({width * height / 1e6:.5g} MP); the limit is {MAX_IMAGE_PIXELS / 1e6:.5g} MP"
        )


def to_float(image: np.ndarray, channels: int) -> np.ndarray:
    """A decoded image (OpenCV channel order, any depth, alpha or not) as float32 0..1, (H, W, channels).

    8 and 16-bit images use their full range; float images already within 0..1 are kept as they are;
    anything else (signed or 32-bit integers, floats outside 0..1) is stretched from its lowest to its
    highest finite value (a constant one becomes 0). NaN becomes 0, +inf 1 and -inf 0. Alpha is
    composited over black. Raises :class:`ImageReadError` for a layout other than 1 to 4 channels, or
    when no value is finite.
    """
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3 or not 1 <= image.shape[2] <= 4:
        raise ImageReadError(f"unsupported pixel layout {image.shape}: 1 to 4 channels are read")
    scaled = _unit_range(image)
    if scaled.shape[2] in (2, 4):  # grey or colour + alpha: composite over black, the way a viewer shows it
        scaled = scaled[:, :, :-1] * scaled[:, :, -1:]
    if channels == 1 and scaled.shape[2] == 3:
        scaled = cv2.cvtColor(scaled, cv2.COLOR_BGR2GRAY)[:, :, None]
    elif channels == 3 and scaled.shape[2] == 1:
        scaled = np.repeat(scaled, 3, axis=2)
    elif channels == 3:
        scaled = cv2.cvtColor(scaled, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(np.clip(scaled, 0.0, 1.0), dtype=np.float32)


def _unit_range(image: np.ndarray) -> np.ndarray:
    """Pixel values as float32 on 0..1 (not yet clipped), mapped as :func:`to_float` says."""
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    if image.dtype == np.uint16:
        return image.astype(np.float32) / 65535.0
    finite = image[np.isfinite(image)]
    if finite.size == 0:
        raise ImageReadError("image holds no valid pixel values (all NaN or infinite)")
    low, high = finite.min(), finite.max()
    stretch = image.dtype.kind != "f" or low < 0 or high > 1
    floor, ceiling = (low, high) if stretch else (0, 1)
    # replaced before any arithmetic: a signalling NaN (a damaged file can hold one) raises "invalid value"
    values = np.nan_to_num(image, nan=floor, posinf=ceiling, neginf=floor)
    values = values.astype(np.result_type(image.dtype, np.float32))  # float64 where float32 would lose digits
    if stretch:
        span = high / 2 - low / 2  # halves keep the difference of two extreme values finite
        values = (values / 2 - low / 2) / span if span > 0 else np.zeros_like(values)
    return values.astype(np.float32, copy=False)


def list_images(root: str | os.PathLike[str]) -> list[Path]:
    """Image files in a folder (sorted, not recursive, sub-folders skipped), or the file itself.

    Raises :class:`ImageReadError` for a missing, unreadable or looping path, or a folder with no images.
    """
    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        why = "a broken link or a link loop" if root.is_symlink() else "no such file or folder"
        raise ImageReadError(f"{root}: {why}")
    try:
        files = sorted(p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not p.is_dir())
    except OSError as error:
        raise ImageReadError(f"{root}: cannot open the folder ({error.strerror or error})") from None
    if not files:
        raise ImageReadError(f"{root}: the folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return files
