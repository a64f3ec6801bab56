"""What a profile outlines, as a technician sees it: regions on good parts, and on flagged defects.

Inspects the test images of an MVTec-layout dataset with a profile as the app does, then counts the
regions the viewer and reports outline. Good images: how many regions each shows (the app outlines
flagged images only), how many each would show were every image outlined, and how many of those touch
the image's border (the encoder's edge response). Flagged defective images: how many get a region,
exactly one, one over the defect, and the pixel precision and recall of the outlined area against the
ground truth. Nothing is tuned here; the table is for docs/METHOD_NOTES.md.

    RADAR_DESKTOP_HOME=out/quick python benchmarks/outlines.py ../shared/data/mtd --profile q [--half report]
                                                           [--share 0.5]   (cut regions at this share of their peak
                                                                            instead of the profile's own, to compare)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import torch

from radar_desktop.core.regions import Region, measure_regions, outline_labels
from radar_desktop.core.verdict import Verdict
from radar_desktop.engine.device import resolve_device
from radar_desktop.engine.jobs.inspection import Inspector
from radar_desktop.profiles.store import open_profile
from radar_desktop.sources.images import read_image
from radar_desktop.sources.mvtec import labelled_test_images, tuning_and_report_halves

BORDER_PX = 8  # a region within this many pixels of an image edge touches the border


def touches_border(region: Region, shape: tuple[int, int]) -> bool:
    x, y, w, h = region.bbox
    return x < BORDER_PX or y < BORDER_PX or x + w > shape[1] - BORDER_PX or y + h > shape[0] - BORDER_PX


def measure(inspector: Inspector, items, channels: int) -> dict:
    """The counts of the module docstring for every item."""
    outline = inspector.plan.outline
    good_shown, good_all, good_border, flagged_good = [], [], 0, 0
    defects = {"flagged": 0, "with_region": 0, "exactly_one": 0, "over_defect": 0, "tp": 0, "fp": 0, "fn": 0}
    for item in items:
        image = read_image(item.path, channels)
        result = inspector.inspect([image], [str(item.path)])[0]
        flagged = result.verdict is not Verdict.OK or bool(result.rule)
        if not item.is_anomalous:
            every = measure_regions(result.anomaly_map, outline)
            good_all.append(len(every))
            good_border += sum(touches_border(r, image.shape[:2]) for r in every)
            good_shown.append(len(result.regions))
            flagged_good += flagged
            continue
        if not flagged:
            continue
        truth = item.read_mask(image.shape[:2])
        drawn = outline_labels(result.anomaly_map, outline) > 0
        defects["flagged"] += 1
        defects["with_region"] += bool(result.regions)
        defects["exactly_one"] += len(result.regions) == 1
        defects["over_defect"] += bool((drawn & truth).any())
        defects["tp"] += int((drawn & truth).sum())
        defects["fp"] += int((drawn & ~truth).sum())
        defects["fn"] += int((~drawn & truth).sum())
    tp, fp, fn = defects.pop("tp"), defects.pop("fp"), defects.pop("fn")
    return {
        "outline": outline.to_list(),
        "good_images": len(good_all),
        "good_flagged": flagged_good,
        "good_regions_shown_per_image": round(float(np.mean(good_shown)), 3) if good_shown else 0.0,
        "good_regions_if_all_outlined_per_image": round(float(np.mean(good_all)), 3) if good_all else 0.0,
        "good_regions_at_border_share": round(good_border / max(sum(good_all), 1), 3),
        **{f"defects_{k}": v for k, v in defects.items()},
        "pixel_precision": round(tp / max(tp + fp, 1), 3),
        "pixel_recall": round(tp / max(tp + fn, 1), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--half", choices=("report", "tuning", "all"), default="report")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--share", type=float, help="cut each region at this share of its peak (0: not cut)")
    parser.add_argument("--json", type=Path, default=Path("outlines.json"))
    args = parser.parse_args()
    torch.manual_seed(0)
    profile = open_profile(args.profile)
    model = profile.load_model(resolve_device(args.device))
    plan = profile.inspection_plan()
    if args.share is not None:
        plan = dataclasses.replace(plan, outline=dataclasses.replace(plan.outline, share=args.share))
    inspector = Inspector(model, profile.load_scorer(), profile.thresholds(), plan=plan)
    items = labelled_test_images(args.dataset)
    if args.half != "all":
        items = dict(zip(("tuning", "report"), tuning_and_report_halves(items)))[args.half]
    row = {"profile": profile.name, "content_hash": profile.content_hash, "scorer": profile.default_scorer,
           "dataset": str(args.dataset), "half": args.half, **measure(inspector, items, model.config.channels)}
    print(f"{profile.name} ({profile.default_scorer}), outline {row['outline']}, {args.half} half")
    print(f"good images: {row['good_images']} ({row['good_flagged']} flagged); regions shown per good image "
          f"{row['good_regions_shown_per_image']:.2f}; if every image were outlined {row['good_regions_if_all_outlined_per_image']:.2f} "
          f"({row['good_regions_at_border_share']:.0%} at the border)")
    flagged = max(row["defects_flagged"], 1)
    print(f"flagged defects: {row['defects_flagged']}; with a region {row['defects_with_region'] / flagged:.2f}, exactly one "
          f"{row['defects_exactly_one'] / flagged:.2f}, over the defect {row['defects_over_defect'] / flagged:.2f}; "
          f"pixel precision {row['pixel_precision']:.2f}, recall {row['pixel_recall']:.2f}")
    args.json.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
