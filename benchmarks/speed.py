"""Single-step inspection against reconstruction, in one process, on synthetic images.

For each image size and each space: latency of one image at a time (median, p95), throughput in
batches, and the stage split (preprocess / forward / score). Encoder space (the default): the ``fused``
default (memory bank + RADAR's deterministic single step, with each part's score), ``radar`` alone, the
``features`` memory bank alone and the noised ``residual`` (frozen encoder included in each), and
reconstruction with the same denoiser in 10 DDIM steps. Pixel space: ``segment`` and ``features``, and
the ``recon`` baseline with 10 and 50 DDIM steps (same U-Net, same images). The one-at-a-time runs of all methods
are interleaved in ``--recon-repeats`` rounds. Memory: the process's peak RSS after each row, and on
CUDA the peak GPU memory of each method's batches. The headline is the ratio reconstruction /
single-step, which holds across noisy machines. Weights are random: speed does not depend on training.

Long parts (``--long``, default 500 x 1,250): the encoder space's default on one long image, squeezed
to one square as before issue 29, with its aspect kept (a new profile's default for long parts), and at
the scales that ``--min-defect`` sizes ask for, each with its tile count; the ratio is against squeezed.

    python benchmarks/speed.py [--device auto] [--sizes 256,1024] [--repeats 20] [--batch 8] [--spaces encoder,pixel]
                               [--config model.json] [--long 500x1250] [--min-defects 8,4] [--json speed.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


#: Single-step scorers timed in each space, and the DDIM step counts of its reconstruction baseline.
SINGLE_STEP = {"encoder": ("fused", "radar", "features", "residual"), "pixel": ("segment", "features")}
RECON_STEPS = {"encoder": (10,), "pixel": (10, 50)}


def synthetic_images(size: int, count: int) -> list[np.ndarray]:
    """Float (H, W, 1) textured parts with a defect, like the tests use."""
    from tests.synthetic import add_defect, texture

    rng = np.random.default_rng(size)
    return [add_defect(texture(rng, size), rng)[0][:, :, None].astype(np.float32) / 255.0 for _ in range(count)]


def fitted_scorer(model, name: str):
    """A single-step scorer fitted and calibrated on synthetic good images the way a new profile's is, at
    its real size (its space's pooling, and the two-scale map where the model tiles; ``features`` gets a
    full memory bank, ``segment`` a head trained for a few steps: weights do not change speed)."""
    from radar_desktop.engine.jobs.calibrate import WorkingImages, fit_scorers
    from radar_desktop.engine.config import TrainConfig
    from radar_desktop.engine.jobs.inspection import working_batch
    from radar_desktop.engine.scorers.registry import profile_scorer

    space = model.config.space
    settings = TrainConfig(max_steps=15, max_seconds=None).for_space(space)  # pixel: the head's share is 5 steps
    scorer = profile_scorer(name, settings, model.config)
    needed = -(-settings.bank_size // settings.bank_vectors_per_image)  # enough images for a full bank

    def working(count: int) -> WorkingImages:
        batch = working_batch(synthetic_images(model.config.image_size, count), model)
        return WorkingImages((batch.pixels.numpy() * 255).round().astype(np.uint8), tuple(batch.placements))

    fit_scorers(model, [scorer], working(needed), working(4))
    return scorer


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def one_at_a_time(methods: dict, images: list[np.ndarray], rounds: int) -> dict[str, dict]:
    """Latency of one image at a time for every method, interleaved: each round runs every method's share
    of its repeats, so that a slow spell of this shared machine falls on all of them alike."""
    timed = {name: ([], []) for name in methods}
    for inspector, _ in methods.values():
        inspector.inspect(images[:1], ["warm-up"])
    for r in range(rounds):
        for name, (inspector, repeats) in methods.items():
            for i in range(r * repeats // rounds, (r + 1) * repeats // rounds):
                began = time.perf_counter()
                result = inspector.inspect([images[i % len(images)]], ["one"])[0]
                timed[name][0].append((time.perf_counter() - began) * 1000)
                timed[name][1].append((result.timings.preprocess_ms, result.timings.forward_ms, result.timings.score_ms))
    return {
        name: {
            "median_ms": float(np.median(latencies)),
            "p95_ms": float(np.percentile(latencies, 95)),
            "stages_ms": dict(zip(("preprocess", "forward", "score"), np.median(np.array(stages), axis=0).tolist())),
        }
        for name, (latencies, stages) in timed.items()
    }


def in_batches(inspector, images: list[np.ndarray], repeats: int, batch: int, torch) -> dict:
    """Per-image time in batches of ``batch``, and the peak memory after them."""
    device = inspector.model.device
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    batch_images = (images * batch)[:batch]
    inspector.inspect(batch_images, ["warm-up"] * batch)
    began = time.perf_counter()
    rounds = max(1, repeats // batch)
    for _ in range(rounds):
        inspector.inspect(batch_images, ["batch"] * batch)
    batched_ms = (time.perf_counter() - began) * 1000 / (rounds * batch)
    row = {"batched_ms_per_image": batched_ms, "images_per_second_batched": 1000.0 / batched_ms, "peak_rss_mb": peak_rss_mb()}
    if device.type == "cuda":
        row["peak_gpu_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--sizes", default="256,1024")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--recon-repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--spaces", type=lambda v: v.split(","), default=["encoder", "pixel"])
    parser.add_argument("--config", type=Path, help="pixel-space model config JSON (default: the app's)")
    parser.add_argument("--long", default="500x1250", help="a long part's height x width, or none")
    parser.add_argument("--min-defects", default="8,4", help="smallest defects (px) to time the long part's tiles for")
    parser.add_argument("--json", type=Path, default=Path("speed.json"))
    args = parser.parse_args()

    import torch

    from radar_desktop.core.verdict import Thresholds
    from radar_desktop.engine.config import ModelConfig, default_config
    from radar_desktop.engine.device import describe_device, resolve_device
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.engine.models.spaces import create_model
    from radar_desktop.engine.scorers.registry import DEFAULT_SCORERS
    from radar_desktop.engine.scorers.reconstruction import ReconScorer

    torch.manual_seed(0)
    device = resolve_device(args.device)
    configs = {"encoder": default_config("encoder"), "pixel": ModelConfig.load(args.config) if args.config else default_config("pixel")}
    thresholds = Thresholds(review=1.0, nok=1.0)
    methods, defaults = {}, {}
    for space in args.spaces:
        model = create_model(configs[space]).to(device).for_inference()
        names = [DEFAULT_SCORERS[space], *(n for n in SINGLE_STEP[space] if n != DEFAULT_SCORERS[space])]
        defaults[space] = f"{space}: single-step ({names[0]})"  # the ratios are against the space's default
        methods |= {f"{space}: single-step ({n})": (Inspector(model, fitted_scorer(model, n), thresholds), args.repeats) for n in names}
        for steps in RECON_STEPS[space]:
            recon = ReconScorer(steps=steps).use_pooling("max")  # its pooling does not change its speed
            methods[f"{space}: recon, {steps} DDIM steps"] = (Inspector(model, recon, thresholds), args.recon_repeats)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        images = synthetic_images(size, 4)
        latency = one_at_a_time(methods, images, rounds=args.recon_repeats)
        for name, (inspector, repeats) in methods.items():
            batch = args.batch if repeats >= args.batch else 1
            row = {"image": f"{size}x{size}", "method": name, "batch": batch, **latency[name],
                   **in_batches(inspector, images, repeats, batch, torch)}
            rows.append(row)
            print(f"  {row['image']:>9}  {name:<34} median {row['median_ms']:8.1f} ms", file=sys.stderr)
    ratios = {}
    for size in {r["image"] for r in rows}:
        for space, default in defaults.items():
            single = next(r for r in rows if r["image"] == size and r["method"] == default)
            for r in rows:
                if r["image"] == size and r["method"].startswith(f"{space}: recon"):
                    ratios[f"{size}: {r['method']} / {single['method']}"] = r["median_ms"] / single["median_ms"]
    long_rows = long_part_rows(args, device) if args.long != "none" and "encoder" in args.spaces else []
    print_table(rows, ratios)
    print_long_table(long_rows)
    report = {
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "device": describe_device(device),
                    "torch": torch.__version__, "threads": torch.get_num_threads()},
        "models": {space: json.loads(configs[space].to_json()) for space in args.spaces},
        "rows": rows,
        "ratios": ratios,
        "long_part": long_rows,
    }
    args.json.write_text(json.dumps(report, indent=2))


def long_part_rows(args, device) -> list[dict]:
    """The encoder default on one long part at each working resolution: tiles, latency, ratio to squeezed."""
    from radar_desktop.core.verdict import Thresholds
    from radar_desktop.engine.config import default_config
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.engine.models.spaces import create_model
    from radar_desktop.engine.scorers.registry import DEFAULT_SCORERS
    from radar_desktop.engine.tiling import tile_grid
    from radar_desktop.profiles.working_resolution import propose_resolution
    from tests.synthetic import add_defect, texture

    height, width = (int(v) for v in args.long.split("x"))
    rng = np.random.default_rng(0)
    image = add_defect(texture(rng, height, width), rng)[0][:, :, None].astype(np.float32) / 255.0
    squeezed = default_config("encoder")
    model = create_model(squeezed).to(device).for_inference()
    scorer = fitted_scorer(model, DEFAULT_SCORERS["encoder"])
    resolutions = {"squeezed to one square (before)": squeezed}
    proposals = [(None, "aspect kept")] + [(float(d), f"min defect {d} px") for d in args.min_defects.split(",") if d]
    for defect, label in proposals:
        resolutions[label] = propose_resolution((height, width), squeezed, defect).apply(squeezed)
    tiled = fitted_scorer(copy_model(model, resolutions["aspect kept"]), DEFAULT_SCORERS["encoder"])  # shows two scales
    methods = {}
    for label, config in resolutions.items():
        chosen = tiled if config.resize_mode == "tiles" else scorer
        methods[label] = (Inspector(copy_model(model, config), chosen, Thresholds(review=1.0, nok=1.0)), args.repeats)
    latency = one_at_a_time(methods, [image], rounds=args.recon_repeats)
    base = latency["squeezed to one square (before)"]["median_ms"]
    rows = []
    for label, config in resolutions.items():
        tiles = tile_grid((height, width), config.working_scale, config.image_size, config.tile_overlap).count if config.resize_mode == "tiles" else 1
        rows.append({"image": f"{height}x{width}", "resolution": label, "tiles": tiles, **latency[label],
                     "ratio_to_squeezed": latency[label]["median_ms"] / base})
    return rows


def copy_model(model, config):
    """``model`` (its weights shared, not copied) seeing images as ``config`` says."""
    import copy

    seen = copy.copy(model)
    seen.config = config
    return seen


def print_long_table(rows: list[dict]) -> None:
    if not rows:
        return
    print(f"\nlong part {rows[0]['image']}, encoder default, one image at a time")
    for r in rows:
        print(f"  {r['resolution']:<34} {r['tiles']:>3} tiles  median {r['median_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms  "
              f"{r['ratio_to_squeezed']:5.2f}x squeezed")


def print_table(rows: list[dict], ratios: dict[str, float]) -> None:
    header = (f"{'image':>9} {'method':<34} {'median ms':>9} {'p95 ms':>8} {'batch':>5} {'ms/img batched':>14} "
              f"{'prep':>6} {'fwd':>7} {'score':>7} {'peak RSS MB':>11}")
    print(header)
    print("-" * len(header))
    for r in rows:
        s = r["stages_ms"]
        print(f"{r['image']:>9} {r['method']:<34} {r['median_ms']:>9.1f} {r['p95_ms']:>8.1f} {r['batch']:>5} "
              f"{r['batched_ms_per_image']:>14.1f} {s['preprocess']:>6.1f} {s['forward']:>7.1f} {s['score']:>7.1f} "
              f"{r['peak_rss_mb']:>11.0f}" + (f"  GPU {r['peak_gpu_mb']:.0f} MB" if "peak_gpu_mb" in r else ""))
    for name, ratio in sorted(ratios.items()):
        print(f"{name}: {ratio:.1f}x")


if __name__ == "__main__":
    main()
