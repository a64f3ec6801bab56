"""What each engine speed-up buys: single-step inspection with the speed-ups switched on one by one.

All variants run in one process, interleaved round by round, on the same synthetic images with the
default model and feature scorer; times are medians, and each row's ratio is against the first row.
Two image shapes: square (no padding) and 2:1 (half the working square is padding, as with many
real parts). Prints a table and writes JSON.

    python benchmarks/speed_steps.py [--rounds 10] [--json speed_steps.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speed import default_feature_scorer, synthetic_images  # noqa: E402

STEPS = (
    ("before: full pass, default layout, cdist search", dict(stop_early=False, channels_last=False, search="cdist")),
    ("+ pass stops after the last feature block", dict(stop_early=True, channels_last=False, search="cdist")),
    ("+ channels-last weights and inputs", dict(stop_early=True, channels_last=True, search="cdist")),
    ("+ matrix-product search in a reused buffer", dict(stop_early=True, channels_last=True, search="addmm")),
    ("+ no search in padding (= the engine now)", dict(stop_early=True, channels_last=True, search="content")),
)


def inspect_once(model, scorer, batch, placements, *, stop_early: bool, channels_last: bool, search: str, torch) -> float:
    """Milliseconds for one image: forward pass and feature scoring, as configured."""
    import torch.nn.functional as F

    from radar_desktop.engine.preprocess import whole_square
    from radar_desktop.engine.scorers import _blurred
    from radar_desktop.engine.single_step import single_step

    model.unet.to(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    began = time.perf_counter()
    output = single_step(model, batch, placements, with_noise=not stop_early)
    if search == "content":
        scorer.content_maps(model, output)
    elif search == "addmm":
        scorer.content_maps(model, replace(output, placements=(whole_square(model.config.image_size),)))
    else:  # what the engine did before: one cdist over every cell, square roots of the whole matrix
        features = output.features
        b, d, h, w = features.shape
        queries = features.permute(0, 2, 3, 1).reshape(-1, d)
        distances = torch.cat([torch.cdist(queries[i : i + 4096], scorer.bank).min(dim=1).values for i in range(0, len(queries), 4096)])
        _blurred(F.interpolate(distances.reshape(b, 1, h, w), size=output.images.shape[-1], mode="bilinear", align_corners=False)[:, 0])
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--json", type=Path, default=Path("speed_steps.json"))
    args = parser.parse_args()

    import torch

    from radar_desktop.engine.config import ModelConfig
    from radar_desktop.engine.inspection import working_batch
    from radar_desktop.engine.model import RadarModel

    torch.manual_seed(0)
    model = RadarModel.create(ModelConfig()).for_inference()
    scorer = default_feature_scorer(model)
    square = synthetic_images(256, 1)[0]
    shapes = {"256x256": square, "256x128 (2:1)": np.ascontiguousarray(square[:, :128])}
    results = []
    for shape, image in shapes.items():
        batch, placements = working_batch([image], model)
        times: dict[str, list[float]] = {name: [] for name, _ in STEPS}
        for round_ in range(args.rounds + 1):
            for name, options in STEPS:
                elapsed = inspect_once(model, scorer, batch, placements, torch=torch, **options)
                if round_:  # the first round warms up every variant
                    times[name].append(elapsed)
        base = float(np.median(times[STEPS[0][0]]))
        for name, _ in STEPS:
            median = float(np.median(times[name]))
            results.append({"image": shape, "step": name, "median_ms": median, "speed-up": base / median})
    print(f"{'image':<14} {'step':<50} {'median ms':>9} {'speed-up':>8}")
    for r in results:
        print(f"{r['image']:<14} {r['step']:<50} {r['median_ms']:>9.1f} {r['speed-up']:>7.2f}x")
    args.json.write_text(json.dumps({"threads": torch.get_num_threads(), "rounds": args.rounds, "results": results}, indent=2))


if __name__ == "__main__":
    main()
