"""Synthetic product images: a regular woven texture, with pasted defects for the anomalous ones; a camera of them."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from radar_desktop.sources.frames import FrameSource


def texture(rng: np.random.Generator, size: int = 64, width: int | None = None) -> np.ndarray:
    """A grey woven texture with a random phase and mild noise, uint8 (size, width or size)."""
    width = width or size
    y, x = np.mgrid[0:size, 0:width].astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    weave = np.sin(x * 2 * np.pi / 8 + phase[0]) * np.sin(y * 2 * np.pi / 8 + phase[1])
    image = 0.5 + 0.25 * weave + rng.normal(0, 0.03, (size, width))
    return np.clip(image * 255, 0, 255).astype(np.uint8)


def add_defect(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Paste a dark blob and a bright scratch; returns the image and its boolean mask."""
    size = image.shape[0]
    mask = np.zeros_like(image, dtype=np.uint8)
    cy, cx = rng.integers(size // 4, 3 * size // 4, size=2)
    cv2.circle(mask, (int(cx), int(cy)), max(3, size // 10), 1, -1)
    out = image.copy()
    out[mask > 0] = 20
    x0, y0 = rng.integers(0, size // 3, size=2)
    scratch = np.zeros_like(mask)
    cv2.line(scratch, (int(x0), int(y0)), (int(x0) + size // 2, int(y0) + size // 3), 1, 2)
    out[scratch > 0] = 250
    return out, (mask | scratch).astype(bool)


def write_png(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".png", image)
    assert ok
    path.write_bytes(data.tobytes())


def make_dataset(root: Path, *, train: int = 12, test_good: int = 4, test_bad: int = 4, size: int = 64, seed: int = 0) -> Path:
    """An MVTec-layout folder: train/good, test/good, test/defect, ground_truth/defect."""
    rng = np.random.default_rng(seed)
    for i in range(train):
        write_png(root / "train" / "good" / f"good_{i:03d}.png", texture(rng, size))
    for i in range(test_good):
        write_png(root / "test" / "good" / f"good_{i:03d}.png", texture(rng, size))
    for i in range(test_bad):
        image, mask = add_defect(texture(rng, size), rng)
        write_png(root / "test" / "defect" / f"bad_{i:03d}.png", image)
        write_png(root / "ground_truth" / "defect" / f"bad_{i:03d}_mask.png", mask.astype(np.uint8) * 255)
    return root


def scan_folder(dataset: Path, tmp_path: Path, copies: int = 1) -> Path:
    """A folder of the test images of ``dataset`` (good and defect, ``copies`` times) and one corrupt file."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for copy in range(copies):
        for kind in ("good", "defect"):
            for path in sorted((dataset / "test" / kind).iterdir()):
                (folder / f"{copy:02d}_{kind}_{path.name}").write_bytes(path.read_bytes())
    (folder / "zz_corrupt.png").write_bytes(b"\x89PNG not really")
    return folder


def write_video(path: Path, frames: list[np.ndarray], fps: float = 20.0) -> Path:
    """A lossless video (FFV1) of grey frames, as a camera stand-in."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"FFV1"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()
    return path


def make_defect_video(path: Path, seed: int = 5, fps: float = 20.0) -> Path:
    """40 frames at ``fps`` of the texture; from frame 21 on, every frame has a defect."""
    rng = np.random.default_rng(seed)
    frames = [texture(rng, 64) for _ in range(20)] + [add_defect(texture(rng, 64), rng)[0] for _ in range(20)]
    return write_video(path, frames, fps)


class SyntheticCamera(FrameSource):
    """A camera stand-in held in memory: ``count`` BGR frames of the texture, then ended (``read`` gives ``None``).

    Frames cycle through ``pool`` textures, every ``defect_every``-th with a defect; each read returns a fresh
    buffer, as a camera's decoder does. ``fps`` paces delivery on average (0: as fast as they are read).
    """

    live = True

    def __init__(self, count: int, *, size: int = 64, fps: float = 0.0, pool: int = 40, defect_every: int = 10,
                 seed: int = 0) -> None:
        super().__init__(f"synthetic camera {size}x{size}")
        rng = np.random.default_rng(seed)
        grey = [add_defect(texture(rng, size), rng)[0] if i % defect_every == defect_every - 1 else texture(rng, size)
                for i in range(pool)]
        self.pool = [cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) for image in grey]
        self.count = count
        self.delivered = 0
        self._interval = 1.0 / fps if fps > 0 else 0.0
        self._due = 0.0

    def open(self) -> None:
        self._due = time.monotonic()

    def read(self) -> np.ndarray | None:
        if self.delivered >= self.count:
            return None
        if self._interval:
            self._due += self._interval
            delay = self._due - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # when late, no sleep until caught up: the average rate holds
        frame = self.pool[self.delivered % len(self.pool)].copy()
        self.delivered += 1
        return frame
