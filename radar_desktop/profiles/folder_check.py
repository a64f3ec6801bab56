"""Checking a folder of good images before training: enough of them, readable, consistent, no copies, sharp."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from radar_desktop.sources.images import ImageReadError, decode_image, list_images

MIN_GOOD_IMAGES = 4  # training refuses fewer
RECOMMENDED_GOOD_IMAGES = 20
BLUR_RATIO = 0.35  # sharpness under this fraction of the folder's median is flagged as blurred


@dataclass(frozen=True)
class FolderCheck:
    """What a folder of good images holds; ``refusal`` says why training cannot start, if it cannot."""

    folder: Path
    readable: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    shapes: dict[str, int] = field(default_factory=dict)  # "W x H, C channels" -> count
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file name, identical to)
    blurred: list[str] = field(default_factory=list)
    minimum: int = MIN_GOOD_IMAGES

    @property
    def refusal(self) -> str | None:
        if len(self.readable) < self.minimum:
            return (
                f"{len(self.readable)} readable images in {self.folder}; at least {self.minimum} are needed "
                f"(at least {RECOMMENDED_GOOD_IMAGES} recommended)"
            )
        return None

    @property
    def warnings(self) -> list[str]:
        notes = []
        if self.minimum <= len(self.readable) < RECOMMENDED_GOOD_IMAGES:
            notes.append(f"only {len(self.readable)} images: at least {RECOMMENDED_GOOD_IMAGES} are recommended")
        if self.unreadable:
            notes.append(f"{len(self.unreadable)} files cannot be read and will be skipped")
        if len(self.shapes) > 1:
            notes.append("sizes or channels differ: " + "; ".join(f"{n} x {s}" for s, n in self.shapes.items()))
        if self.duplicates:
            notes.append(f"{len(self.duplicates)} images are exact copies of others")
        if self.blurred:
            notes.append(f"{len(self.blurred)} images look blurred next to the rest")
        return notes

    @property
    def suspicious(self) -> list[tuple[str, str]]:
        """(file name, reason) of every image worth a look, for thumbnails."""
        return (
            [(name, f"unreadable: {reason}") for name, reason in self.unreadable]
            + [(name, f"copy of {other}") for name, other in self.duplicates]
            + [(name, "blurred") for name in self.blurred]
        )


def sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image at a common scale: low means blurred."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)
    full_scale = np.iinfo(grey.dtype).max if np.issubdtype(grey.dtype, np.integer) else max(float(np.abs(grey).max()), 1e-12)
    grey = grey.astype(np.float32) / full_scale
    scale = 256 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    return float(cv2.Laplacian(small, cv2.CV_32F).var())


def check_good_folder(folder: Path, minimum: int = MIN_GOOD_IMAGES) -> FolderCheck:
    """Read every image of ``folder`` once and report count, readability, shapes, copies and blur."""
    check = FolderCheck(Path(folder), minimum=minimum)
    try:
        paths = list_images(folder)
    except ImageReadError as error:
        check.unreadable.append((Path(folder).name, str(error)))
        return check
    seen: dict[str, str] = {}
    focus: dict[str, float] = {}
    for path in paths:
        try:
            image = decode_image(path)
        except ImageReadError as error:
            check.unreadable.append((path.name, str(error)))
            continue
        check.readable.append(path.name)
        channels = 1 if image.ndim == 2 else image.shape[2]
        shape = f"{image.shape[1]} x {image.shape[0]}, {channels} channel{'s' if channels > 1 else ''}"
        check.shapes[shape] = check.shapes.get(shape, 0) + 1
        digest = hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest()
        if digest in seen:
            check.duplicates.append((path.name, seen[digest]))
        else:
            seen[digest] = path.name
        focus[path.name] = sharpness(image)
    if len(focus) >= 3:
        typical = float(np.median(list(focus.values())))
        check.blurred.extend(name for name, value in focus.items() if value < BLUR_RATIO * typical)
    return check
