"""Where to outline defects on a peak+mean profile: candidate segmentation levels against ground truth.

The app cuts a pooled (peak+mean) profile's maps at good images' typical peak (the mean of their
blurred peaks, ``peak mean +0.0 sd`` here). This measures that choice and its neighbours on the
flagged defect images of an MVTec-layout dataset: how many get a region, how many a region over the
defect, the pixel precision and recall of the regions, and how much of the good test images' area
lies above the level. Nothing is tuned here; the table is for docs/METHOD_NOTES.md.

    RADAR_DESKTOP_HOME=out/quick python benchmarks/segmentation_levels.py ../shared/data/mtd --profile q
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from radar_desktop.core.regions import measure_regions
from radar_desktop.core.verdict import Verdict
from radar_desktop.engine.device import resolve_device
from radar_desktop.engine.inspection import Inspector
from radar_desktop.profiles.store import open_profile
from radar_desktop.sources.images import read_image
from radar_desktop.sources.mvtec import labelled_test_images

SPREADS = (-1.0, -0.5, 0.0, 0.5, 1.0)  # the level as good peaks' mean + k standard deviations


def candidate_levels(profile, scorer) -> dict[str, float]:
    stats = scorer._pool_stats
    if stats is None:
        raise SystemExit(f"profile {profile.name!r} pools the map's maximum: its outline is the NOK threshold")
    levels = {f"peak mean {k:+.1f} sd": float(stats[0][0] + k * stats[1][0]) for k in SPREADS}
    levels["largest good value"] = profile.entry().map_range[1]
    return levels


def measure(levels: dict[str, float], flagged: list[tuple[np.ndarray, np.ndarray]], good: list[np.ndarray]) -> list[dict]:
    rows = []
    for name, level in levels.items():
        above = [(a > level, truth) for a, truth in flagged]
        tp = sum(int((m & t).sum()) for m, t in above)
        fp = sum(int((m & ~t).sum()) for m, t in above)
        fn = sum(int((~m & t).sum()) for m, t in above)
        rows.append({
            "level": name,
            "value": round(level, 4),
            "flagged_defects": len(flagged),
            "with_region": sum(bool(measure_regions(a, level)) for a, _ in flagged),
            "region_over_defect": sum(bool((m & t).any()) for m, t in above),
            "pixel_precision": round(tp / max(tp + fp, 1), 3),
            "pixel_recall": round(tp / max(tp + fn, 1), 3),
            "good_area_above": round(float(np.mean([(a > level).mean() for a in good])) if good else 0.0, 5),
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--per-class", type=int, default=14, help="test images per class (first by name)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", type=Path, default=Path("segmentation_levels.json"))
    args = parser.parse_args()
    torch.manual_seed(0)
    profile = open_profile(args.profile)
    model, scorer = profile.load_model(resolve_device(args.device)), profile.load_scorer()
    levels = candidate_levels(profile, scorer)
    inspector = Inspector(model, scorer, profile.thresholds())
    taken: dict[str, int] = {}
    flagged, good = [], []
    for item in labelled_test_images(args.dataset):
        if taken.get(item.defect, 0) >= args.per_class:
            continue
        taken[item.defect] = taken.get(item.defect, 0) + 1
        image = read_image(item.path, model.config.channels)
        result = inspector.inspect([image], [str(item.path)])[0]
        if not item.is_anomalous:
            good.append(result.anomaly_map)
        elif result.verdict is not Verdict.OK:
            flagged.append((result.anomaly_map, item.read_mask(image.shape[:2])))
    rows = measure(levels, flagged, good)
    print(f"{'level':<20} {'value':>8} {'flagged':>8} {'region':>7} {'on defect':>9} {'precision':>9} {'recall':>7} {'good area':>9}")
    for row in rows:
        print(f"{row['level']:<20} {row['value']:>8.3f} {row['flagged_defects']:>8} {row['with_region']:>7} "
              f"{row['region_over_defect']:>9} {row['pixel_precision']:>9.2f} {row['pixel_recall']:>7.2f} {row['good_area_above']:>9.4f}")
    args.json.write_text(json.dumps({"profile": profile.name, "content_hash": profile.content_hash,
                                     "dataset": str(args.dataset), "per_class": args.per_class, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
