"""Procedural demo images: the printed infill lattice of a 3D-printed part, with synthetic defects.

The demo profile is trained on ``--train`` good images written by this script, and the app ships the
small inspection set written to ``resources/samples/`` (good parts and one defect of each kind, twice).
Everything is drawn from a fixed seed, so running it again writes the same pixels.

    python packaging/demo/make_images.py --train .demo-train --samples resources/samples
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

SIZE = 256
SEED = 20261130


def lattice(rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """Two crossed layers of printed strands on a dark bed, float32 in [0, 1], (size, size)."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    bed = 0.22 + 0.05 * (x / size) * rng.uniform(-1, 1) + 0.05 * (y / size) * rng.uniform(-1, 1)
    image = bed + rng.normal(0, 0.015, (size, size)).astype(np.float32)
    period = rng.uniform(21.0, 23.0)
    for layer, angle in enumerate((45.0, -45.0)):
        theta = np.deg2rad(angle + rng.uniform(-2.0, 2.0))
        across = x * np.cos(theta) + y * np.sin(theta)
        along = -x * np.sin(theta) + y * np.cos(theta)
        wobble = 0.8 * np.sin(along * 2 * np.pi / rng.uniform(60, 90) + rng.uniform(0, 2 * np.pi))
        offset = (across + wobble + rng.uniform(0, period)) / period
        distance = np.abs(offset - np.round(offset)) * period  # pixels to the nearest strand centre
        strand = np.clip(1.0 - (distance / 3.6) ** 2, 0.0, 1.0)  # rounded profile, about 7 px wide
        brightness = 0.62 + 0.08 * layer + rng.normal(0, 0.02, 64)[np.round(offset).astype(int) % 64]
        image = np.where(strand > 0, image * (1 - strand) + brightness * strand, image)
    grain = cv2.GaussianBlur(rng.normal(0, 0.03, (size, size)).astype(np.float32), (0, 0), 1.2)
    return np.clip(image + grain, 0.0, 1.0).astype(np.float32)


def scratch(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A thin bright curved line across the strands."""
    size = image.shape[0]
    mask = np.zeros_like(image)
    start = rng.uniform(0.2, 0.5, 2) * size
    heading = rng.uniform(0, np.pi)
    points = [start]
    for _ in range(12):
        heading += rng.normal(0, 0.08)
        points.append(points[-1] + 9.0 * np.array([np.cos(heading), np.sin(heading)]))
    cv2.polylines(mask, [np.round(np.array(points)).astype(np.int32)], False, 1.0, 2, cv2.LINE_AA)
    return np.clip(image * (1 - mask) + 0.97 * mask, 0, 1)


def hole(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dark round void where the strands were not laid."""
    size = image.shape[0]
    mask = np.zeros_like(image)
    centre = tuple(int(v) for v in rng.uniform(0.25, 0.75, 2) * size)
    axes = tuple(int(v) for v in rng.uniform(7, 13, 2))
    cv2.ellipse(mask, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)
    return np.clip(image * (1 - mask) + 0.05 * mask, 0, 1)


def stain(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A soft darker patch of irregular outline, as left by oil or discoloured filament."""
    size = image.shape[0]
    field = cv2.GaussianBlur(rng.normal(0, 1, (size, size)).astype(np.float32), (0, 0), 6)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    cy, cx = rng.uniform(0.3, 0.7, 2) * size
    radius = rng.uniform(20, 30)
    blob = np.clip((radius - np.hypot(x - cx, y - cy) + 40 * field) / 6.0, 0, 1)
    return np.clip(image * (1 - 0.45 * blob), 0, 1)


def gap(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A gap cut through the strands along one printing direction: the bed shows through."""
    size = image.shape[0]
    mask = np.zeros_like(image)
    centre = rng.uniform(0.3, 0.7, 2) * size
    theta = np.deg2rad(rng.choice([45.0, -45.0]))
    half = rng.uniform(35, 55) * np.array([np.cos(theta + np.pi / 2), np.sin(theta + np.pi / 2)])
    ends = np.round([centre - half, centre + half]).astype(np.int32)
    cv2.line(mask, tuple(ends[0]), tuple(ends[1]), 1.0, 7, cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.0)
    bed = float(np.percentile(image, 10))
    return np.clip(image * (1 - mask) + bed * mask, 0, 1)


DEFECTS: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
    "scratch": scratch,
    "hole": hole,
    "stain": stain,
    "gap": gap,
}


def write_png(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), np.round(image * 255).astype(np.uint8)):
        raise OSError(f"could not write {path}")


def write_images(train: Path | None, samples: Path | None, train_count: int = 300) -> None:
    """Good training images (``train/good_###.png``) and the sample set (``NN_<kind>.png``)."""
    if train is not None:
        rng = np.random.default_rng(SEED)
        for index in range(train_count):
            write_png(train / f"good_{index:03d}.png", lattice(rng))
    if samples is not None:  # its own seed, so the samples do not depend on the training count
        rng = np.random.default_rng(SEED + 1)
        kinds = ["good"] * 4 + [kind for kind in DEFECTS for _ in range(2)]
        for index, kind in enumerate(kinds, start=1):
            image = lattice(rng)
            write_png(samples / f"{index:02d}_{kind}.png", image if kind == "good" else DEFECTS[kind](image, rng))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, help="folder for the good training images")
    parser.add_argument("--samples", type=Path, help="folder for the shipped sample images")
    parser.add_argument("--count", type=int, default=300, help="number of training images (default 300)")
    args = parser.parse_args()
    write_images(args.train, args.samples, args.count)


if __name__ == "__main__":
    main()
