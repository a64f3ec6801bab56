"""Good images re-rendered the way cameras and days differ: framing, focus, exposure, sensor noise,
tone curve and compression.

A profile trained on lossless files meets production frames that differ in all of these (a USB camera's
MJPG stream, a lens slightly out of focus, another day's light). Calibration that never saw them promises
a false-reject rate production does not keep. Each part is drawn at a random strength from a range that
covers what a working station shows; a range's low end leaves the image nearly untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The parts of a re-rendering, in the order a camera applies them.
PARTS = ("shift", "blur", "light", "noise", "jpeg")


@dataclass(frozen=True)
class CameraVariation:
    """Which parts to apply, how often, and the ranges their strengths are drawn from."""

    parts: tuple[str, ...] = PARTS
    chance: float = 0.5  # each part is applied to a rendering with this probability, so each also comes alone
    shift_px: int = 3  # framing: up to this many pixels each way, edges mirrored
    blur_sigma: tuple[float, float] = (0.0, 1.2)  # focus: Gaussian sigma in pixels
    gain: tuple[float, float] = (0.85, 1.15)  # exposure: brightness factor
    gamma: tuple[float, float] = (0.8, 1.25)  # tone curve
    noise_levels: tuple[float, float] = (0.0, 4.0)  # sensor noise: standard deviation in grey levels
    jpeg_quality: tuple[int, int] = (60, 95)  # transport: a JPEG file or an MJPG stream

    def __post_init__(self) -> None:
        unknown = set(self.parts) - set(PARTS)
        if unknown:
            raise ValueError(f"unknown camera variation {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")

    @classmethod
    def only(cls, parts: str | tuple[str, ...]) -> "CameraVariation":
        """The default ranges for the named parts alone ("jpeg,blur" or a tuple); "" or "none" for none."""
        names = tuple(p for p in (parts.split(",") if isinstance(parts, str) else parts) if p and p != "none")
        return cls(parts=names)

    def render(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One re-rendering of an (H, W) or (H, W, C) uint8 image, same shape and type."""
        import cv2  # here, so that naming the parts (the CLI's parser does) does not load OpenCV

        out = image.astype(np.float32)
        applied = {part for part in self.parts if rng.random() < self.chance}
        if "shift" in applied:
            dy, dx = rng.integers(-self.shift_px, self.shift_px + 1, size=2)
            matrix = np.float32([[1, 0, dx], [0, 1, dy]])
            moved = cv2.warpAffine(out, matrix, (out.shape[1], out.shape[0]), borderMode=cv2.BORDER_REFLECT_101)
            out = moved.reshape(out.shape)  # OpenCV drops a single channel's axis
        if "blur" in applied:
            sigma = rng.uniform(*self.blur_sigma)
            if sigma > 0.05:
                out = cv2.GaussianBlur(out, (0, 0), sigma).reshape(out.shape)
        if "light" in applied:
            gain, gamma = rng.uniform(*self.gain), rng.uniform(*self.gamma)
            out = 255.0 * np.clip(out * gain / 255.0, 0.0, 1.0) ** gamma
        if "noise" in applied:
            out = out + rng.normal(0.0, rng.uniform(*self.noise_levels), out.shape).astype(np.float32)
        out = np.clip(np.round(out), 0, 255).astype(np.uint8)
        if "jpeg" in applied:
            quality = int(rng.integers(self.jpeg_quality[0], self.jpeg_quality[1] + 1))
            ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if not ok:
                raise RuntimeError("OpenCV could not encode a JPEG")
            out = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED).reshape(out.shape)
        return out

    def describe(self) -> str:
        return ", ".join(self.parts) if self.parts else "none"

