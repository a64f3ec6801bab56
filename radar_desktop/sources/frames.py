"""Frame sources behind one interface: image files or a folder, a camera, a video file or a stream.

A source is opened, read one frame at a time (an image in OpenCV's channel order, as decoded) and
closed. ``read`` returns ``None`` when the source has ended or failed (a file played to its end, an
unplugged camera); the capture loop then reports it and reconnects.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from radar_desktop.sources.images import IMAGE_SUFFIXES, ImageReadError, list_images, read_image

os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # probing absent cameras must not flood the terminal


class SourceError(Exception):
    """A frame source could not be opened; the message says which and why, for the user."""


@dataclass(frozen=True)
class CameraSettings:
    """Settings that matter to inspection, applied when a camera opens; ``None`` keeps the driver's own."""

    width: int | None = None
    height: int | None = None
    exposure: float | None = None  # in the driver's units (CAP_PROP_EXPOSURE); None keeps auto exposure
    focus: float | None = None  # None keeps autofocus


class FrameSource(ABC):
    """One stream of frames. ``live`` sources deliver frames at their own rate (cameras, paced files)."""

    live = False

    def __init__(self, description: str) -> None:
        self.description = description

    @abstractmethod
    def open(self) -> None:
        """Start delivering frames; raises :class:`SourceError` when that is impossible."""

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next frame, or ``None`` when the source has ended or failed."""

    def close(self) -> None:
        """Release the device or file; reading again needs ``open``."""

    def refused_settings(self) -> list[str]:
        """Settings asked for that the device did not accept at the last ``open``."""
        return []

    def __enter__(self) -> "FrameSource":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ImageFilesSource(FrameSource):
    """Image files, one frame each, in order; unreadable files are skipped and listed with their reason."""

    def __init__(self, paths: list[Path], description: str) -> None:
        super().__init__(description)
        self.paths = list(paths)
        self.skipped: list[tuple[Path, str]] = []
        self._next = 0

    def open(self) -> None:
        self._next = 0

    def read(self) -> np.ndarray | None:
        while self._next < len(self.paths):
            path = self.paths[self._next]
            self._next += 1
            try:
                return np.round(read_image(path, 3)[:, :, ::-1] * 255).astype(np.uint8)  # back to OpenCV's BGR
            except ImageReadError as error:
                self.skipped.append((path, str(error)))
        return None


class VideoSource(FrameSource):
    """OpenCV ``VideoCapture`` on a device index, a video file or a stream URL.

    A video file is paced at its own frame rate (``pace``), so it behaves like the camera it stands in for.
    """

    def __init__(self, spec: int | str, settings: CameraSettings | None = None, pace: bool = True) -> None:
        self.device = spec if isinstance(spec, int) else None
        self.is_file = self.device is None and Path(spec).is_file()
        super().__init__(f"camera {spec}" if self.device is not None else str(spec))
        self.spec = spec
        self.settings = settings or CameraSettings()
        self.pace = pace and self.is_file
        self.live = self.device is not None or self.pace or not self.is_file
        self.applied: dict[str, bool] = {}
        self._capture: cv2.VideoCapture | None = None
        self._frame_interval = 0.0
        self._due = 0.0

    def open(self) -> None:
        self.close()
        capture = cv2.VideoCapture(self.spec)
        if not capture.isOpened():
            capture.release()
            what = "no camera answers at index" if self.device is not None else "cannot open video"
            raise SourceError(f"{what} {self.spec}")
        self._capture = capture
        self.applied = self._apply(self.settings)
        fps = capture.get(cv2.CAP_PROP_FPS)
        self._frame_interval = 1.0 / fps if self.pace and 0 < fps < 1000 else 0.0
        self._due = time.monotonic()

    def _apply(self, settings: CameraSettings) -> dict[str, bool]:
        """Ask the driver for each setting; records which ones it accepted (many webcams ignore some)."""
        capture = self._capture
        accepted = {}
        if settings.width and settings.height:
            accepted["resolution"] = capture.set(cv2.CAP_PROP_FRAME_WIDTH, settings.width) and capture.set(
                cv2.CAP_PROP_FRAME_HEIGHT, settings.height
            )
        if settings.exposure is not None:
            capture.set(cv2.CAP_PROP_AUTO_EXPOSURE, 0.25)  # V4L2's "manual" value
            accepted["exposure"] = capture.set(cv2.CAP_PROP_EXPOSURE, settings.exposure)
        if settings.focus is not None:
            capture.set(cv2.CAP_PROP_AUTOFOCUS, 0)
            accepted["focus"] = capture.set(cv2.CAP_PROP_FOCUS, settings.focus)
        return accepted

    def refused_settings(self) -> list[str]:
        return [name for name, accepted in self.applied.items() if not accepted]

    def codec(self) -> str:
        """The four-character code of how frames arrive (``MJPG``, ``YUYV``, ``H264`` …); empty when not open
        or not told."""
        if self._capture is None:
            return ""
        code = int(self._capture.get(cv2.CAP_PROP_FOURCC))
        text = "".join(chr((code >> shift) & 0xFF) for shift in (0, 8, 16, 24))
        return text.strip("\x00 ") if text.isprintable() else ""

    def read(self) -> np.ndarray | None:
        if self._capture is None:
            return None
        if self._frame_interval:
            self._due += self._frame_interval
            delay = self._due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                self._due = time.monotonic()  # running late: do not try to catch up with a burst
        ok, frame = self._capture.read()
        return frame if ok and frame is not None and frame.size else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def open_source(spec: str, settings: CameraSettings | None = None) -> FrameSource:
    """The source a user means by ``spec``: a device index, an image folder or file, else a video or URL."""
    if spec.strip().isdigit():
        return VideoSource(int(spec), settings)
    path = Path(spec)
    if path.is_dir() or (path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES):
        try:
            return ImageFilesSource(list_images(path), str(path))
        except ImageReadError as error:
            raise SourceError(str(error)) from None
    if "://" not in spec and not path.exists():
        raise SourceError(f"{spec}: no such camera index, file or stream")
    return VideoSource(spec, settings)


def list_cameras(limit: int = 6) -> list[int]:
    """Device indices below ``limit`` where a camera opens and delivers a frame."""
    found = []
    for index in range(limit):
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened() and capture.read()[0]:
                found.append(index)
        finally:
            capture.release()
    return found
