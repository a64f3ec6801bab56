"""What each engine speed-up buys: single-step inspection with the speed-ups switched on one by one.

All variants run in one process, interleaved round by round, on the same synthetic images; times are
medians, and each row's ratio is against the first row of its scorer. Two image shapes: square (no
padding) and 2:1 (half the working square is padding, as with many real parts).

- ``features`` scorer, default model: pass layout, nearest-neighbour search and stitching, step by step.
- ``segment`` scorer (the default): its head's layout, then the feature blocks it reads, from the
  earlier default (through ``up.1``) to the current one (through ``mid``; the pass stops after the
  last), then how patch features are stitched, then the head's width.

Prints a table and writes JSON.

    python benchmarks/speed_steps.py [--rounds 10] [--config model.json] [--json speed_steps.json]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from contextlib import nullcontext
from dataclasses import replace
from functools import partial
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speed import fitted_scorer, synthetic_images  # noqa: E402

STEPS = (
    ("before: full pass, default layout, cdist search", dict(stop_early=False, channels_last=False, search="cdist", fold=True)),
    ("+ pass stops after the last feature block", dict(stop_early=True, channels_last=False, search="cdist", fold=True)),
    ("+ channels-last weights and inputs", dict(stop_early=True, channels_last=True, search="cdist", fold=True)),
    ("+ matrix-product search in a reused buffer", dict(stop_early=True, channels_last=True, search="addmm", fold=True)),
    ("+ no search in padding", dict(stop_early=True, channels_last=True, search="content", fold=True)),
    ("+ tiles stitched by a reshape (= the engine now)", dict(stop_early=True, channels_last=True, search="content", fold=False)),
)


#: The defect head's width before the speed work narrowed it to ``defect_head.WIDTH``.
WIDTH_BEFORE = 16


def blocks_before(config) -> tuple[str, ...]:
    """The feature blocks the segment scorer read before the pass was cut at the mid block: every
    decoder block but the last as well (for the default model: down.1, down.2, mid, up.0, up.1)."""
    ups = tuple(f"up.{i}" for i in range(len(config.block_out_channels) - 1))
    return config.feature_blocks + tuple(b for b in ups if b not in config.feature_blocks)


def forward(model, batch, placements, *, with_noise: bool, fold: bool):
    """The single-step pass; with ``fold``, patches are stitched the way they were before, by
    :func:`fold_patches` (the engine now places exact tiles by a reshape)."""
    from radar_desktop.engine.models.patches import fold_patches
    from radar_desktop.engine.models.pixel import single_step

    with mock.patch("radar_desktop.engine.models.pixel.stitch_patches", fold_patches) if fold else nullcontext():
        return single_step(model, batch, placements, with_noise=with_noise)


def inspect_once(model, scorer, batch, placements, *, stop_early: bool, channels_last: bool, search: str, fold: bool, torch) -> float:
    """Milliseconds for one image: forward pass and feature scoring, as configured."""
    import torch.nn.functional as F

    from radar_desktop.engine.preprocess import whole_square
    from radar_desktop.engine.scorers.base import blurred

    model.unet.to(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    began = time.perf_counter()
    output = forward(model, batch, placements, with_noise=not stop_early, fold=fold)
    if search == "content":
        scorer.content_maps(model, output)
    elif search == "addmm":
        scorer.content_maps(model, replace(output, placements=(whole_square(model.config.image_size),)))
    else:  # what the engine did before: one cdist over every cell, square roots of the whole matrix
        features = output.features
        b, d, h, w = features.shape
        queries = features.permute(0, 2, 3, 1).reshape(-1, d)
        distances = torch.cat([torch.cdist(queries[i : i + 4096], scorer.bank).min(dim=1).values for i in range(0, len(queries), 4096)])
        blurred(F.interpolate(distances.reshape(b, 1, h, w), size=output.images.shape[-1], mode="bilinear", align_corners=False)[:, 0])
    return (time.perf_counter() - began) * 1000


def segment_once(model, scorer, batch, placements, *, old_head=None, fold: bool = False) -> float:
    """Milliseconds for one image with the segment scorer: the pass through its last block, then the head
    (or ``old_head``, called the way the engine called it before: default layout, the batch in one call)."""
    import torch

    from radar_desktop.engine.scorers.base import blurred

    began = time.perf_counter()
    output = forward(model, batch, placements, with_noise=False, fold=fold)
    if old_head is None:
        scorer.maps(model, output)
    else:
        with torch.inference_mode():
            blurred(torch.sigmoid(old_head(output.features, output.images))[:, 0])
    return (time.perf_counter() - began) * 1000


def segment_with_width(model, batch, width: int):
    """A segment scorer whose head (random weights: they do not change its speed) has ``width`` channels."""
    from radar_desktop.engine.scorers.defect_head import DefectHead
    from radar_desktop.engine.scorers.segment import SegmentScorer
    from radar_desktop.engine.models.pixel import single_step

    scorer = SegmentScorer()
    depth = single_step(model, batch, with_noise=False).features.shape[1]
    scorer.head = DefectHead(depth, model.config.channels, width).for_inference()
    return scorer


def interleaved(variants: dict, rounds: int) -> dict[str, float]:
    """Median milliseconds of each ``name -> timed call``, every variant once per round (first round warms up)."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(rounds + 1):
        for name, timed in variants.items():
            elapsed = timed()
            if round_:
                times[name].append(elapsed)
    return {name: float(np.median(values)) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--config", type=Path, help="model config JSON (default: ModelConfig())")
    parser.add_argument("--json", type=Path, default=Path("speed_steps.json"))
    args = parser.parse_args()

    import torch

    from radar_desktop.engine.config import ModelConfig
    from radar_desktop.engine.scorers.defect_head import WIDTH
    from radar_desktop.engine.jobs.inspection import working_batch
    from radar_desktop.engine.models.pixel import PixelRadarModel

    torch.manual_seed(0)
    config = ModelConfig.load(args.config) if args.config else ModelConfig()
    model = PixelRadarModel.create(config).for_inference()
    before = PixelRadarModel.create(replace(config, feature_blocks=blocks_before(config))).for_inference()
    features = fitted_scorer(model, "features")
    segment = fitted_scorer(model, "segment")
    square = synthetic_images(config.image_size, 1)[0]
    probe = working_batch([square], model).pixels
    wide = {"before": segment_with_width(before, probe, WIDTH_BEFORE), "now": segment_with_width(model, probe, WIDTH_BEFORE)}
    old_head = copy.deepcopy(wide["before"].head).to(memory_format=torch.contiguous_format)
    shapes = {"square": square, "2:1": np.ascontiguousarray(square[:, : config.image_size // 2])}
    results = []
    for shape, image in shapes.items():
        working = working_batch([image], model)
        batch, placements = working.pixels, working.placements
        runs = {
            ("features", name): partial(inspect_once, model, features, batch, placements, torch=torch, **options)
            for name, options in STEPS
        }
        runs[("segment", f"before: blocks through {before.config.feature_blocks[-1]}, head width {WIDTH_BEFORE} default layout, fold")] = partial(
            segment_once, before, wide["before"], batch, placements, old_head=old_head, fold=True)
        runs[("segment", "+ channels-last head")] = partial(segment_once, before, wide["before"], batch, placements, fold=True)
        runs[("segment", f"+ blocks through {config.feature_blocks[-1]}")] = partial(
            segment_once, model, wide["now"], batch, placements, fold=True)
        runs[("segment", "+ tiles stitched by a reshape")] = partial(segment_once, model, wide["now"], batch, placements)
        runs[("segment", f"+ head width {WIDTH} (= the engine now)")] = partial(segment_once, model, segment, batch, placements)
        medians = interleaved(runs, args.rounds)
        for scorer in ("features", "segment"):
            rows = [(step, ms) for (s, step), ms in medians.items() if s == scorer]
            base = rows[0][1]
            results.extend({"image": shape, "scorer": scorer, "step": step, "median_ms": ms, "speed-up": base / ms}
                           for step, ms in rows)
    print(f"{'image':<7} {'scorer':<9} {'step':<64} {'median ms':>9} {'speed-up':>8}")
    for r in results:
        print(f"{r['image']:<7} {r['scorer']:<9} {r['step']:<64} {r['median_ms']:>9.1f} {r['speed-up']:>7.2f}x")
    args.json.write_text(json.dumps({"threads": torch.get_num_threads(), "rounds": args.rounds,
                                     "model": json.loads(config.to_json()), "results": results}, indent=2))


if __name__ == "__main__":
    main()
