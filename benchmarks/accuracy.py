"""Detection quality on MVTec-layout folders: every scorer of one trained model, side by side.

For each dataset folder: train one model on ``train/good`` (about one good image in five held back)
with a fixed budget, fit every scorer on the training images and calibrate each one's thresholds on the
held-back good images only (no defect examples), then measure on ``test/``: the paper-faithful
``paper`` pipeline, ``residual``, ``features``, ``segment`` (the default), the ``recon`` reconstruction
baseline, a non-diffusion baseline (``pixels``: nearest neighbour of raw 8x8 pixel patches, mean removed),
and an **untrained-U-Net control** with the default scorer. The U-Net and the ``segment`` head share the
budget as the app shares it (``TrainConfig.head_share``). Image AUROC, pixel AUROC, AUPRO (to 30% FPR),
accuracy / precision / recall / F1 at the calibrated NOK threshold, the F1-optimal threshold, and time.
Prints a table and writes JSON.

Test images are split by name, per class, into a fixed tuning half and a report half
(``tuning_and_report_halves``): tune methods with ``--half tuning``, publish ``--half report`` (the default).

    python benchmarks/accuracy.py ../shared/data/mtd [more folders] [--minutes 15 | --steps N]
        [--device auto] [--config model.json] [--half report|tuning|all] [--recon-limit N] [--json accuracy.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from radar_desktop.engine.scorers import DEFAULT_SCORER, FeatureScorer  # noqa: E402

PIXEL_PATCH = 8


class PixelPatchScorer(FeatureScorer):
    """Non-diffusion baseline: raw pixel patches instead of U-Net features, same bank and search."""

    name = "pixels"
    description = "baseline without diffusion: nearest neighbour of raw 8x8 pixel patches (mean removed)"
    reads_features = False
    reads_noise = False

    def descriptors(self, output) -> torch.Tensor:
        images = output.images.float()
        b, c, s, _ = images.shape
        stride = 4  # one vector per 4x4 pixels, the grid the feature scorer uses
        padded = F.pad(images, (2, 2, 2, 2), mode="reflect")
        patches = F.unfold(padded, PIXEL_PATCH, stride=stride)  # (B, C*64, L)
        patches = patches - patches.mean(dim=1, keepdim=True)
        side = s // stride
        return patches.reshape(b, -1, side, side)


def run_dataset(dataset: Path, args, config, device) -> list[dict]:
    """Train, fit, calibrate and evaluate every scorer and the control on one dataset folder."""
    from dataclasses import replace

    from radar_desktop.cli import format_table, progress_bar
    from radar_desktop.engine.calibrate import fit_scorers
    from radar_desktop.engine.config import TrainConfig
    from radar_desktop.engine.evaluation import evaluate_scorers
    from radar_desktop.engine.model import RadarModel
    from radar_desktop.engine.scorers import make_scorer
    from radar_desktop.engine.training import train
    from radar_desktop.profiles.builder import evenly_spaced, load_good_images
    from radar_desktop.sources.mvtec import labelled_test_images, tuning_and_report_halves

    settings = TrainConfig(max_steps=args.steps, max_seconds=None) if args.steps else TrainConfig(max_seconds=60 * args.minutes)
    good = load_good_images(dataset / "train" / "good", config, settings.holdout_every)
    bank = good.train.subset(evenly_spaced(len(good.train_names), settings.bank_images))
    with progress_bar("train") as progress:
        model, report = train(config, good.train.pixels, settings.unet_budget(), device, progress=progress)
    print(f"{dataset.name}: {report.steps} steps in {report.seconds:.0f} s, final loss {report.final_loss:.4f}", file=sys.stderr)

    single = [make_scorer(n, settings) for n in ("paper", "residual", "features", "segment")] + [PixelPatchScorer()]
    recon = make_scorer("recon")
    with progress_bar("fit") as progress:
        calibrations = fit_scorers(model, single + [recon], bank, good.held_back, progress=progress)
    control_model = RadarModel.create(config).to(device).for_inference()
    control = make_scorer(DEFAULT_SCORER, settings)
    with progress_bar("fit control") as progress:
        calibrations["untrained"] = fit_scorers(control_model, [control], bank, good.held_back, progress=progress)[DEFAULT_SCORER]

    items = labelled_test_images(dataset)
    if args.half != "all":
        items = dict(zip(("tuning", "report"), tuning_and_report_halves(items)))[args.half]
    thresholds = {name: c.thresholds for name, c in calibrations.items()}
    with progress_bar("evaluate") as progress:
        results, _ = evaluate_scorers(model, single, thresholds, items, progress=progress)
    rows = [_row(r, calibrations[s.name], s.description, len(items)) for r, s in zip(results, single)]
    recon_items = items if args.recon_limit is None else [items[i] for i in evenly_spaced(len(items), args.recon_limit)]
    with progress_bar("evaluate recon") as progress:
        [recon_result], _ = evaluate_scorers(model, [recon], thresholds, recon_items, progress=progress)
    rows.append(_row(recon_result, calibrations[recon.name], recon.description, len(recon_items)))
    with progress_bar("evaluate control") as progress:
        [control_result], _ = evaluate_scorers(control_model, [control], {DEFAULT_SCORER: thresholds["untrained"]}, items, progress=progress)
    control_result = replace(control_result, scorer="untrained")
    rows.append(_row(control_result, calibrations["untrained"], "control: the default scorer on an untrained U-Net", len(items)))
    for row in rows:
        row.update(dataset=dataset.name, half=args.half, train_steps=report.steps, train_seconds=round(report.seconds, 1))
    print(f"{dataset.name}, {args.half} half ({report.steps} training steps; recon on {len(recon_items)} of {len(items)} test images)")
    print(format_table([*results, recon_result, control_result]))
    return rows


def _row(result, calibration, description: str, images: int) -> dict:
    """One scorer's metrics, with the scores behind them: each test image's (by class/name) and the
    held-back good images' that set its thresholds (to study how the calibrated cut moves)."""
    return {**result.summary(), "description": description, "test_images": images,
            "test_scores": result.scores, "held_back_scores": calibration.good_scores.tolist()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, default=15.0)
    budget.add_argument("--steps", type=int)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--config", type=Path, help="model config JSON (default: the app's defaults)")
    parser.add_argument("--half", choices=("report", "tuning", "all"), default="report", help="which test images to measure")
    parser.add_argument("--recon-limit", type=int, help="evaluate recon on this many evenly spaced test images")
    parser.add_argument("--json", type=Path, default=Path("accuracy.json"))
    args = parser.parse_args()

    from dataclasses import asdict

    from radar_desktop.engine.config import ModelConfig
    from radar_desktop.engine.device import describe_device, resolve_device

    config = ModelConfig.load(args.config) if args.config else ModelConfig()
    device = resolve_device(args.device)
    began = time.perf_counter()
    rows = [row for dataset in args.datasets for row in run_dataset(dataset, args, config, device)]
    report = {
        "device": describe_device(device),
        "budget": {"minutes": None if args.steps else args.minutes, "steps": args.steps},
        "model": asdict(config),
        "recon_limit": args.recon_limit,
        "seconds": round(time.perf_counter() - began, 1),
        "rows": rows,
    }
    args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
