"""The detection-probability self-test: synthetic defects pasted into held-back good images and inspected.

Discs and thin strokes, darker and brighter, of sizes log-spaced from 0.5% to 10% of the image width, are
pasted at random places (inside the inspected area) and scored with the profile's inspector. The raw score
of every sample is kept, so the hit/miss POD (``core.pod``) can be refitted at once for any NOK threshold.

What it measures is the sensitivity to these synthetic defects, not to the product's real ones: a real
scratch or stain differs in shape, contrast and texture.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.pod import SYNTHETIC_NOTE, PodFit, fit_pod
from radar_desktop.core.quantities import readable
from radar_desktop.engine.jobs.inspection import Inspector, batches

SHAPES = ("disc_dark", "disc_bright", "stroke_dark", "stroke_bright")
SIZE_RANGE = (0.005, 0.10)  # smallest and largest defect, as fractions of the image width
DEFAULT_SIZES = 10
DEFAULT_REPEATS = 8  # 10 sizes x 8 = 80 samples per shape: enough for a stable logistic fit
BATCH = 8
SUPERSAMPLE = 8  # sub-samples per pixel and axis; four times that below SMALL px, so sub-pixel discs keep their area
SMALL = 8.0
EDGE_SIGMA = 0.5  # px; softens the edge so a small defect is not an aliased staircase
MARGIN = 4.0  # px kept free around a defect's bounding circle: pixel half-width, sub-pixel offset and blur tail
METHOD = "hit/miss POD: logistic regression on log size (MIL-HDBK-1823A), hit = score > NOK threshold"


def stroke_width(image_width: int) -> float:
    """Stroke width in pixels: 1 px up to 512 px wide images, growing gently to 2 px at 1024 and above."""
    return float(np.clip(image_width / 512, 1.0, 2.0))


@dataclass(frozen=True)
class Defect:
    """One synthetic defect: which shape, how big (disc diameter or stroke length, px), where, on which image."""

    shape: str
    size: float
    image: int  # index into the held-back images
    centre: tuple[float, float]  # (y, x) in pixels of that image
    angle: float  # radians; strokes only


def coverage(defect: Defect, width: float) -> tuple[np.ndarray, int, int]:
    """The defect's soft coverage (0..1) on a patch of the image, and the patch's top-left pixel (may be
    negative where a caller placed it so)."""
    radius = _bounding_radius(defect.shape, defect.size, width)
    cy, cx = defect.centre
    top, left = math.floor(cy - radius - MARGIN - 1), math.floor(cx - radius - MARGIN - 1)
    rows = math.ceil(cy + radius + MARGIN + 1) - top + 1
    cols = math.ceil(cx + radius + MARGIN + 1) - left + 1
    fine = SUPERSAMPLE * (4 if defect.size < SMALL else 1)
    offsets = (np.arange(fine) + 0.5) / fine - 0.5  # pixel (i, j) is the unit square around (i, j)
    ys = (top + np.arange(rows)[:, None] + offsets[None, :]).ravel() - cy
    xs = (left + np.arange(cols)[:, None] + offsets[None, :]).ravel() - cx
    dy, dx = ys[:, None], xs[None, :]
    if defect.shape.startswith("disc"):
        inside = dy * dy + dx * dx <= (defect.size / 2) ** 2
    else:
        along = dx * math.cos(defect.angle) + dy * math.sin(defect.angle)
        across = -dx * math.sin(defect.angle) + dy * math.cos(defect.angle)
        inside = (np.abs(along) <= defect.size / 2) & (np.abs(across) <= width / 2)
    alpha = inside.reshape(rows, fine, cols, fine).mean(axis=(1, 3)).astype(np.float32)
    alpha = cv2.GaussianBlur(alpha, (0, 0), EDGE_SIGMA, borderType=cv2.BORDER_CONSTANT)
    return alpha, top, left


def paste(image: np.ndarray, defect: Defect, contrast: float, width: float) -> np.ndarray:
    """A copy of ``image`` (H, W, C float 0..1) with the defect darkening or brightening it by ``contrast``."""
    alpha, top, left = coverage(defect, width)
    height, image_width = image.shape[:2]
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + alpha.shape[0], height), min(left + alpha.shape[1], image_width)
    out = np.array(image, dtype=np.float32, copy=True)
    sign = -1.0 if defect.shape.endswith("dark") else 1.0
    region = out[y0:y1, x0:x1]
    region += sign * contrast * alpha[y0 - top : y1 - top, x0 - left : x1 - left, None]
    np.clip(region, 0.0, 1.0, out=region)
    return out


def _bounding_radius(shape: str, size: float, width: float) -> float:
    return size / 2 if shape.startswith("disc") else math.hypot(size / 2, width / 2)


def _depth(mask: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray:
    """Distance (px) of each pixel to the nearest pixel outside the image or the inspected area."""
    height, width = shape
    inside = np.ones(shape, np.uint8) if mask is None else cv2.resize(
        (np.asarray(mask) > 0).astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST
    )
    return cv2.distanceTransform(np.pad(inside, 1), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]


def plan_defects(
    shapes: Sequence[tuple[int, int]],
    mask: np.ndarray | None,
    levels: np.ndarray,
    repeats: int,
    width: float,
    rng: np.random.Generator,
) -> list[Defect]:
    """Every defect of the run, in a fixed order (shape, size, repeat), cycling over the images.

    A centre is drawn among the pixels deep enough inside the inspected area for the whole defect; where
    none is, the deepest pixel is taken (the defect may then reach beyond the area).
    """
    depths: dict[tuple[int, int], np.ndarray] = {}
    defects = []
    for shape in SHAPES:
        for size in levels:
            for _ in range(repeats):
                index = len(defects) % len(shapes)
                depth = depths.setdefault(shapes[index], _depth(mask, shapes[index]))
                angle = float(rng.uniform(0.0, math.pi))
                room = np.flatnonzero(depth.ravel() > _bounding_radius(shape, size, width) + MARGIN)
                pick = int(room[rng.integers(len(room))]) if room.size else int(np.argmax(depth))
                row, col = divmod(pick, depth.shape[1])
                dy, dx = rng.uniform(-0.5, 0.5, size=2)
                defects.append(Defect(shape, float(size), index, (row + float(dy), col + float(dx)), angle))
    return defects


@dataclass(frozen=True)
class ShapeScores:
    """The size (px) and raw image score of each sample of one shape."""

    sizes: tuple[float, ...]
    scores: tuple[float, ...]

    def hits(self, nok: float) -> np.ndarray:
        return np.asarray(self.scores, dtype=np.float64) > nok


@dataclass(frozen=True)
class SelfTestScores:
    """Raw scores of a self-test run: per shape the samples' sizes and scores, and how the run was made."""

    shapes: dict[str, ShapeScores]
    image_width: int  # px; sizes were log-spaced as fractions of it (the median width of the images)
    contrast: float
    seed: int
    seconds: float
    images: int  # held-back images the defects were pasted into
    clean_scores: tuple[float, ...]  # the same images as they are, for the false-call floor
    stroke_width: float
    scorer: str = ""

    def to_dict(self) -> dict:
        return {
            "shapes": {k: {"sizes": list(v.sizes), "scores": list(v.scores)} for k, v in self.shapes.items()},
            "image_width": self.image_width,
            "contrast": self.contrast,
            "seed": self.seed,
            "seconds": self.seconds,
            "images": self.images,
            "clean_scores": list(self.clean_scores),
            "stroke_width": self.stroke_width,
            "scorer": self.scorer,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "SelfTestScores":
        return cls(
            shapes={
                k: ShapeScores(tuple(float(s) for s in v["sizes"]), tuple(float(s) for s in v["scores"]))
                for k, v in data["shapes"].items()
            },
            image_width=int(data["image_width"]),
            contrast=float(data["contrast"]),
            seed=int(data["seed"]),
            seconds=float(data["seconds"]),
            images=int(data["images"]),
            clean_scores=tuple(float(s) for s in data.get("clean_scores", [])),
            stroke_width=float(data.get("stroke_width", 1.0)),
            scorer=str(data.get("scorer", "")),
        )


def size_levels(image_width: int, count: int = DEFAULT_SIZES) -> np.ndarray:
    """Defect sizes in pixels, log-spaced over ``SIZE_RANGE`` of ``image_width``."""
    return np.geomspace(*SIZE_RANGE, count) * image_width


def selftest_scores(
    inspector: Inspector,
    images: Sequence[np.ndarray],
    *,
    mask: np.ndarray | None = None,
    seed: int = 0,
    sizes: int = DEFAULT_SIZES,
    repeats: int = DEFAULT_REPEATS,
    contrast: float = 0.3,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> SelfTestScores:
    """Paste ``len(SHAPES) * sizes * repeats`` synthetic defects into ``images`` (float (H, W, C), 0..1) and
    score each with ``inspector``; ``mask`` (H, W, 1 = inspected, any size) keeps them inside the inspected area.

    The same inputs and ``seed`` give the same defects and scores. The scores measure sensitivity to
    synthetic defects, not to the product's real ones.
    """
    if not images:
        raise ValueError("the self-test needs at least one good image")
    cancel = cancel or CancelToken()
    began = time.perf_counter()
    image_width = int(np.median([image.shape[1] for image in images]))
    width = stroke_width(image_width)
    rng = np.random.default_rng(seed)
    defects = plan_defects([image.shape[:2] for image in images], mask, size_levels(image_width, sizes), repeats, width, rng)
    total = len(images) + len(defects)
    clean = []
    for chunk in batches(list(range(len(images))), BATCH):
        cancel.raise_if_cancelled()
        results = inspector.inspect([images[i] for i in chunk], [f"self-test clean image {i}" for i in chunk])
        clean.extend(r.score for r in results)
        progress(len(clean) / total, f"self-test: {len(clean)} of {len(images)} clean images")
    scores: list[float] = []
    for chunk in batches(defects, BATCH):
        cancel.raise_if_cancelled()
        pasted = [paste(images[d.image], d, contrast, width) for d in chunk]
        results = inspector.inspect(pasted, [f"self-test {d.shape} {readable(d.size)} px" for d in chunk])
        scores.extend(r.score for r in results)
        progress((len(clean) + len(scores)) / total, f"self-test: {len(scores)} of {len(defects)} synthetic defects")
    by_shape = {
        shape: ShapeScores(
            tuple(d.size for d in defects if d.shape == shape),
            tuple(float(s) for d, s in zip(defects, scores) if d.shape == shape),
        )
        for shape in SHAPES
    }
    return SelfTestScores(
        shapes=by_shape,
        image_width=image_width,
        contrast=float(contrast),
        seed=int(seed),
        seconds=round(time.perf_counter() - began, 2),
        images=len(images),
        clean_scores=tuple(float(s) for s in clean),
        stroke_width=width,
        scorer=getattr(getattr(inspector, "scorer", None), "name", ""),
    )


def pod_at(scores: SelfTestScores, nok: float) -> dict[str, PodFit]:
    """The POD fit of each shape with hits counted as score > ``nok``."""
    return {shape: fit_pod(s.sizes, s.hits(nok)) for shape, s in scores.shapes.items()}


def selftest_record(scores: SelfTestScores, nok: float, mm_per_pixel: float | None = None) -> dict:
    """What a profile stores as its self-test (JSON-safe): the raw scores, and the fits at ``nok`` with
    their sizes in px and, given a scale, in mm."""
    fits = {}
    for shape, fit in pod_at(scores, nok).items():
        entry = fit.to_dict()
        if mm_per_pixel:
            for key in ("a50", "a90", "a90_95"):
                entry[f"{key}_mm"] = None if entry[key] is None else entry[key] * mm_per_pixel
        fits[shape] = entry
    return {
        "method": METHOD,
        "note": SYNTHETIC_NOTE,
        "nok": float(nok),
        "mm_per_pixel": float(mm_per_pixel) if mm_per_pixel else None,
        "clean_above_nok": int(sum(s > nok for s in scores.clean_scores)),
        "scores": scores.to_dict(),
        "fits": fits,
    }


def refit_record(record: dict, nok: float) -> dict:
    """A stored self-test record refitted at another NOK threshold (no image is inspected again)."""
    return selftest_record(SelfTestScores.from_dict(record["scores"]), nok, record.get("mm_per_pixel"))


def selftest_table(record: dict) -> list[str]:
    """The record as plain-text lines: a row per shape (status, a50, a90, a90/95 in px, and in mm with a
    scale; samples, hits), then the clean-image check and the note that the defects are synthetic."""
    mm = record.get("mm_per_pixel")
    columns = ["a50 px", "a90 px", "a90/95 px"] + (["a90 mm", "a90/95 mm"] if mm else [])
    header = f"{'shape':<14} {'status':<13} " + " ".join(f"{c:>11}" for c in columns) + f" {'samples':>7} {'hits':>5}"
    lines = [header, "-" * len(header)]
    for shape, data in record["fits"].items():
        fit = PodFit.from_dict(data)
        px, scaled = fit.cells(), fit.cells(mm) if mm else {}
        cells = [px["a50"], px["a90"], px["a90/95"]] + ([scaled["a90"], scaled["a90/95"]] if mm else [])
        cells = [c.replace(" px", "").replace(" mm", "") for c in cells]
        lines.append(
            f"{shape:<14} {fit.status:<13} " + " ".join(f"{c:>11}" for c in cells) + f" {fit.samples:>7} {fit.found:>5}"
        )
    if any("*" in line for line in lines[2:]):
        lines.append("* beyond the largest size tried: extrapolated from the fit")
    scores = record["scores"]
    clean = len(scores.get("clean_scores", []))
    lines.append(
        f"{record.get('clean_above_nok', 0)} of {clean} held-back images were already above NOK without a defect; "
        f"defects {scores['contrast']:g} darker or brighter, strokes {scores['stroke_width']:.2g} px wide, "
        f"sizes as diameter or length in px of {scores['image_width']} px wide images"
    )
    lines.append(record.get("note", SYNTHETIC_NOTE))
    return lines
