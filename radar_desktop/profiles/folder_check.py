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
    dimensions: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (width, height, channels) -> count
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
            notes.append(f"sizes or channels differ: {self.size_range()}")
        if self.duplicates:
            notes.append(f"{len(self.duplicates)} images are exact copies of others")
        if self.blurred:
            notes.append(f"{len(self.blurred)} images look blurred next to the rest")
        return notes

    def typical_shape(self) -> tuple[int, int] | None:
        """The median (height, width) of the readable images; None when there are none."""
        if not self.dimensions:
            return None
        return median_shape([(height, width) for (width, height, _), count in self.dimensions.items() for _ in range(count)])

    def size_range(self) -> str:
        """The images' sizes in brief: one size, or how many distinct ones and their range."""
        if not self.dimensions:
            return "no readable images"
        widths, heights, channels = (sorted({d[i] for d in self.dimensions}) for i in range(3))
        kinds = " or ".join(f"{c} channel{'s' if c > 1 else ''}" for c in channels)
        if len(self.dimensions) == 1:
            return f"all {widths[0]} x {heights[0]} px, {kinds}"
        return (
            f"{len(self.dimensions)} distinct sizes, {widths[0]}–{widths[-1]} px wide and "
            f"{heights[0]}–{heights[-1]} px high, {kinds}"
        )

    def size_details(self) -> str:
        """Every distinct size with its count, most common first (one per line)."""
        ordered = sorted(self.shapes.items(), key=lambda item: (-item[1], item[0]))
        return "\n".join(f"{count:>6} x  {shape}" for shape, count in ordered)

    @property
    def suspicious(self) -> list[tuple[str, str]]:
        """(file name, reason) of every image worth a look, for thumbnails."""
        return (
            [(name, f"unreadable: {reason}") for name, reason in self.unreadable]
            + [(name, f"copy of {other}") for name, other in self.duplicates]
            + [(name, "blurred") for name in self.blurred]
        )


def median_shape(shapes: list[tuple[int, int]]) -> tuple[int, int]:
    """The median height and median width of (height, width) pairs (at least one)."""
    heights, widths = zip(*shapes)
    return int(np.median(heights)), int(np.median(widths))


def sizing_plan(resize_mode: str, image_size: int) -> str:
    """What a profile does with images of any size, in words, for the size summary."""
    if resize_mode == "stretch":
        return (f"Each image is resized to the {image_size} x {image_size} px working square (its proportions are not "
                "kept), and results are mapped back to the image's own size.")
    return (f"Each image is fitted to the {image_size} px working square: its longer side is scaled to {image_size} px, "
            "the rest is mirror-padded (padding is never scored), and results are mapped back to the image's own size.")


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
        dimension = (image.shape[1], image.shape[0], channels)
        check.dimensions[dimension] = check.dimensions.get(dimension, 0) + 1
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
