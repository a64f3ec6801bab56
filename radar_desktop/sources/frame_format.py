"""Whether good images and production frames arrive the same way: lossless files against a compressed stream.

A profile trained on PNG files meets JPEG blocks and ringing in a USB camera's MJPG stream or a video's
H.264 frames; alone, that moved good parts above NOK (docs/METHOD_NOTES.md). The calibration wizard asks
this before training, so that good frames can be captured from the camera instead.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from radar_desktop.sources.frames import SourceError, VideoSource, open_source
from radar_desktop.sources.images import ImageReadError, list_images

LOSSLESS_SUFFIXES = frozenset({".png", ".bmp", ".tif", ".tiff"})
#: Four-character codes of streams whose frames are compressed with loss (the rest: raw or lossless).
LOSSY_CODECS = frozenset({"MJPG", "JPEG", "H264", "AVC1", "X264", "HEVC", "H265", "HVC1", "MP4V", "FMP4", "XVID",
                          "DIVX", "VP80", "VP90", "AV01", "WMV3", "MPG4"})


def folder_encoding(folder: Path) -> str:
    """How a folder's images are stored: ``lossless``, ``JPEG``, or ``mixed`` (empty folder: ``unknown``)."""
    try:
        suffixes = Counter("lossless" if p.suffix.lower() in LOSSLESS_SUFFIXES else "JPEG" for p in list_images(folder))
    except ImageReadError:
        return "unknown"
    return next(iter(suffixes)) if len(suffixes) == 1 else "mixed"


def stream_codec(spec: str) -> str:
    """The codec a camera index, video file or stream delivers, e.g. ``MJPG``; ``files`` for an image folder.

    Raises :class:`SourceError` when it cannot be opened.
    """
    source = open_source(spec)
    if not isinstance(source, VideoSource):
        return "files"
    source.open()
    try:
        return source.codec() or "unknown"
    finally:
        source.close()


def format_warning(folder: Path, spec: str) -> str:
    """What differs between the good images in ``folder`` and the frames of camera ``spec``, and what to do;
    empty when nothing does."""
    try:
        codec = stream_codec(spec)
    except SourceError as error:
        return f"The camera could not be checked: {error}."
    stored = folder_encoding(folder)
    lossy = codec.upper() in LOSSY_CODECS
    if codec in ("files", "unknown") or (stored == "JPEG") == lossy:
        return ""
    if lossy:
        return (f"The good images are {stored} files, but the camera delivers {codec} frames, compressed with loss. "
                "Compression alone can push good parts above NOK. Capture good frames from this camera and use "
                "them as the held-back images (or to train on).")
    return (f"The good images are JPEG files, but the camera delivers {codec} frames without compression loss: "
            "good frames from this camera would make a closer calibration.")
