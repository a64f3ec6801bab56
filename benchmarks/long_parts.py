"""Build a development set of long parts from MVTec-layout folders: tiles side by side in one strip.

Each strip is ``--tiles`` images of the source set, every one brought to ``--height`` px high (aspect kept)
and laid left to right, so a strip of four MTD tiles is about 256 x 1,000 px. Good strips hold good
images only (training strips: consecutive ``train/good`` images; ``--good`` test strips: seeded draws of
``test/good`` images, so a small test set still gives enough); each defective source
image becomes one defective strip of its class, at a seeded position among good test images, with its
mask placed the same way (the other tiles' mask is empty). Sources without masks (ELPV) give strips
without masks: image-level detection only. Written as an MVTec layout that ``benchmarks/accuracy.py``
reads; the data stays in an ignored folder, it is not ours to ship.

    python benchmarks/long_parts.py ../shared/data/mtd out/long/mtd
    python benchmarks/long_parts.py out/elpv/mono out/long/mono --height 300
    python benchmarks/accuracy.py ../shared/data/mtd out/long/mtd --spaces encoder
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from radar_desktop.sources.images import decode_image, list_images  # noqa: E402
from radar_desktop.sources.mvtec import labelled_test_images  # noqa: E402


def to_height(image: np.ndarray, height: int) -> np.ndarray:
    """``image`` resized to ``height`` rows, its aspect kept (nearest neighbour for masks keeps them binary)."""
    width = max(1, round(image.shape[1] * height / image.shape[0]))
    interpolation = cv2.INTER_NEAREST if image.dtype == bool else cv2.INTER_AREA
    return cv2.resize(image.astype(np.uint8) if image.dtype == bool else image, (width, height), interpolation=interpolation)


def grey(path: Path) -> np.ndarray:
    """An image file as 8-bit grey (the sets used here are grey; colour sources are converted)."""
    image = decode_image(path)
    if image.ndim == 3:
        image = cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)
    if image.dtype != np.uint8:
        image = cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return image


def strip(tiles: list[np.ndarray], height: int) -> np.ndarray:
    """Tiles resized to ``height`` and joined left to right."""
    return np.concatenate([to_height(tile, height) for tile in tiles], axis=1)


def write_png(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), image):
        raise OSError(f"could not write {path}")


def good_strips(files: list[Path], tiles: int, height: int, out: Path, count: int | None = None, seed: int = 0) -> int:
    """Good images as strips in ``out``: consecutive groups of ``tiles``, or ``count`` seeded draws of
    ``tiles`` different images (so a small test set still gives enough good strips); returns how many."""
    if count is None:
        groups = [files[start : start + tiles] for start in range(0, len(files) - tiles + 1, tiles)]
    else:
        chooser = random.Random(seed)
        groups = [chooser.sample(files, tiles) for _ in range(count)]
    for number, group in enumerate(groups):
        write_png(out / f"strip{number:04d}.png", strip([grey(f) for f in group], height))
    return len(groups)


def defective_strips(source: Path, out: Path, tiles: int, height: int, seed: int) -> dict[str, int]:
    """One strip per defective test image, among seeded good test images; masks where the source has them."""
    chooser = random.Random(seed)
    goods = list_images(source / "test" / "good")
    counts: dict[str, int] = {}
    for item in (i for i in labelled_test_images(source) if i.is_anomalous):
        place = chooser.randrange(tiles)
        others = [grey(g) for g in chooser.sample(goods, tiles - 1)]
        images = others[:place] + [grey(item.path)] + others[place:]
        write_png(out / "test" / item.defect / f"{item.path.stem}.png", strip(images, height))
        if item.mask_path is not None:
            blanks = [np.zeros(o.shape, bool) for o in others]
            masks = blanks[:place] + [grey(item.mask_path) >= 128] + blanks[place:]
            write_png(out / "ground_truth" / item.defect / f"{item.path.stem}_mask.png", strip(masks, height) * 255)
        counts[item.defect] = counts.get(item.defect, 0) + 1
    return counts


def build(source: Path, out: Path, tiles: int = 4, height: int = 256, good: int = 200, seed: int = 0) -> dict[str, int]:
    """Write the long-part layout of ``source`` into ``out``; returns the image count per folder."""
    counts = {
        "train/good": good_strips(list_images(source / "train" / "good"), tiles, height, out / "train" / "good"),
        "test/good": good_strips(list_images(source / "test" / "good"), tiles, height, out / "test" / "good", good, seed),
    }
    for name, n in defective_strips(source, out, tiles, height, seed).items():
        counts[f"test/{name}"] = n
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="an MVTec-layout folder (train/good, test/<class>, ground_truth)")
    parser.add_argument("out", type=Path, help="folder for the long-part layout")
    parser.add_argument("--tiles", type=int, default=4, help="images per strip")
    parser.add_argument("--height", type=int, default=256, help="strip height in px")
    parser.add_argument("--good", type=int, default=200, help="good test strips, drawn from test/good")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for folder, n in build(args.source, args.out, args.tiles, args.height, args.good, args.seed).items():
        print(f"{args.out / folder}: {n}")


if __name__ == "__main__":
    main()
