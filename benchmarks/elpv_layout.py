"""Lay out the ELPV solar-cell images (the ``elpv-dataset`` package) as MVTec-layout folders, one per cell type.

ELPV gives each of its 2,624 electroluminescence images of solar cells a defect probability (0, 1/3,
2/3 or 1) and a cell type (mono, poly); it has no masks, so it measures image-level detection only.
Here probability 0 is good, 2/3 and 1 are defective, and 1/3 (the annotators' "probably fine") is left
out. Every fifth good image by name goes to ``test/good``, the rest to ``train/good``; the defective
ones to ``test/defective``. Files are linked, not copied. The data is not ours to ship: install the
package into an ignored folder and write the layout there too.

    pip install --target out/elpv/pkg elpv-dataset
    python benchmarks/elpv_layout.py out/elpv/pkg/elpv_dataset/data out/elpv
    python benchmarks/accuracy.py out/elpv/mono out/elpv/poly --spaces encoder
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

GOOD_EVERY = 5  # every fifth good image (by name) is a test image, as in ../shared/data/mtd


def read_labels(data: Path) -> list[tuple[str, float, str]]:
    """(image path relative to ``data``, defect probability, cell type) for every row of labels.csv."""
    rows = []
    for line in (data / "labels.csv").read_text().splitlines():
        if line.strip():
            path, probability, kind = line.split()
            rows.append((path, float(probability), kind))
    return rows


def write_layout(data: Path, out: Path) -> dict[str, dict[str, int]]:
    """Link the images into ``out/<type>/{train/good,test/good,test/defective}``; returns the counts."""
    counts: dict[str, dict[str, int]] = {}
    rows = sorted(read_labels(data))
    for kind in sorted({k for _, _, k in rows}):
        good = [p for p, prob, k in rows if k == kind and prob == 0.0]
        defective = [p for p, prob, k in rows if k == kind and prob >= 0.5]
        places = {f"train/good/{Path(p).name}": p for i, p in enumerate(good) if i % GOOD_EVERY}
        places |= {f"test/good/{Path(p).name}": p for i, p in enumerate(good) if i % GOOD_EVERY == 0}
        places |= {f"test/defective/{Path(p).name}": p for p in defective}
        for target, source in places.items():
            link = out / kind / target
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                os.symlink((data / source).resolve(), link)
        counts[kind] = {folder: sum(t.startswith(folder) for t in places) for folder in ("train/good", "test/good", "test/defective")}
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the package's data folder (holds labels.csv and images/)")
    parser.add_argument("out", type=Path, help="folder for the layouts (one subfolder per cell type)")
    args = parser.parse_args()
    for kind, count in write_layout(args.data, args.out).items():
        print(f"{args.out / kind}: " + ", ".join(f"{n} {folder}" for folder, n in count.items()))


if __name__ == "__main__":
    main()
