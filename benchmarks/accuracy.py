"""Detection quality on MVTec-layout folders: every scorer of each space's model, side by side.

For each dataset folder and each space, train one model on ``train/good`` (about one good image in five
held back) with a fixed budget, fit every scorer on the training images and calibrate each one's
thresholds on the held-back good images only (no defect examples), then measure on ``test/``.

Encoder space (RADAR on frozen EfficientNet-Lite0 features): ``encoder/fused`` (the default: the memory
bank and RADAR's deterministic single step, each map on good maps' scale, summed), ``encoder/radar``
(the deterministic single step alone: the denoiser's predicted noise for the clean features scaled to
step t), ``encoder/features`` (the memory-bank reference on the same features), ``encoder/residual``
(the noised single step: one seeded noise draw, the error against it), ``encoder/recon``
(reconstruction with the same denoiser) and ``encoder/untrained`` (``radar`` on an untrained denoiser);
``encoder/fused-pixel-scale`` is the default with its map read at the pixel scale only, as profiles made
before the two-scale map show it (the same scores; only the pixel metrics differ). Pixel space: the paper-faithful
``paper`` pipeline, ``residual``, ``features``, ``segment``, the ``recon`` baseline, a non-diffusion
baseline (``pixels``: nearest neighbour of raw 8x8 pixel patches, mean removed), and ``untrained``
(``segment`` on an untrained U-Net). The U-Net and the ``segment`` head share the budget as the app
shares it (``TrainConfig.head_share``). Image AUROC, pixel AUROC, AUPRO (to 30% FPR), recall and the
share of good test images rejected at the calibrated REVIEW (5%) and NOK (1%) thresholds, F1 there,
the F1-optimal threshold, and time. Training, the memory bank and calibration see camera re-renderings
of the good images as the app's profiles do (``--camera-variation``); for the default scorer the shares
of good test images above NOK and REVIEW are also measured with the images re-saved as JPEG quality 75
and blurred by a 1-px Gaussian, next to the promised rates. With ``--selftest`` the app's self-test
(synthetic discs and strokes pasted into the held-back good images) is run on the default scorer at its
NOK threshold and its a90 per shape printed. Prints a table and writes JSON.

Each set is seen at the working resolution a new profile of its images would get (``--resolution app``:
long parts through tiles, aspect kept, or at the scale ``--min-defect`` asks for; near-square images
squeezed as before), or squeezed to one square whatever their shape (``--resolution squeeze``).

Test images are split by name, per class, into a fixed tuning half and a report half
(``tuning_and_report_halves``): tune methods with ``--half tuning``, publish ``--half report`` (the default).

    python benchmarks/accuracy.py ../shared/data/mtd [more folders] [--minutes 15 | --steps N]
        [--device auto] [--spaces encoder,pixel] [--config model.json] [--half report|tuning|all]
        [--recon-limit N] [--camera-variation shift,blur,light,noise,jpeg|none] [--calibration-renderings N]
        [--json accuracy.json]
        [--resolution app|squeeze] [--min-defect PX] [--selftest]
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

from radar_desktop.core.calibration import NOK_FALSE_REJECT_RATE, REVIEW_FALSE_REJECT_RATE  # noqa: E402
from radar_desktop.engine.config import TrainConfig  # noqa: E402
from radar_desktop.engine.scorers.memory_bank import FeatureScorer
from radar_desktop.sources.camera_variation import PARTS as CAMERA_PARTS, CameraVariation  # noqa: E402

PIXEL_PATCH = 8
#: Suffix of the row that measures a two-scale default's map at the pixel scale only.
PIXEL_SCALE = "-pixel-scale"


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


def run_dataset(dataset: Path, args, device) -> list[dict]:
    """Every space's training, scorers and untrained control on one dataset folder."""
    from radar_desktop.sources.mvtec import labelled_test_images, tuning_and_report_halves

    items = labelled_test_images(dataset)
    if args.half != "all":
        items = dict(zip(("tuning", "report"), tuning_and_report_halves(items)))[args.half]
    rows = []
    for space in args.spaces:
        rows.extend(run_space(dataset, space, items, args, device))
    return rows


def run_space(dataset: Path, space: str, items, args, device) -> list[dict]:
    """Train one model of ``space``, fit, calibrate and evaluate its scorers, the baselines and the control.

    Scorers are built and calibrated as a new profile's are (the space's pooling, the whole budget to
    the model where there is no defect head to train). Rows of the encoder space are named
    ``encoder/<scorer>``; the pixel space keeps the scorer names, as in earlier tables.
    """
    from dataclasses import replace

    from radar_desktop.cli import format_table, progress_bar
    from radar_desktop.engine.jobs.calibrate import fit_scorers
    from radar_desktop.engine.config import ModelConfig, default_config
    from radar_desktop.engine.jobs.evaluation import evaluate_scorers
    from radar_desktop.engine.scorers.registry import DEFAULT_SCORERS, profile_scorer, scorers_for
    from radar_desktop.engine.jobs.selftest import selftest_table
    from radar_desktop.engine.jobs.training import train, untrained
    from radar_desktop.profiles.builder import evenly_spaced, load_good_images
    from radar_desktop.profiles.working_resolution import resolution_for_folder

    config = ModelConfig.load(args.config) if args.config and space == "pixel" else default_config(space)
    resolution = None
    if args.resolution == "app":  # as a new profile of these images sees them (long parts: tiles, aspect kept)
        resolution = resolution_for_folder(dataset / "train" / "good", config, args.min_defect)
        config = resolution.apply(config)
        print(f"{dataset.name}, {space}: {resolution.describe()}", file=sys.stderr)
    budget = {"max_steps": args.steps, "max_seconds": None} if args.steps else {"max_seconds": 60 * args.minutes}
    settings = TrainConfig(**budget, variation=args.camera_variation, calibration_renderings=args.calibration_renderings)
    names = scorers_for(space)
    good = load_good_images(dataset / "train" / "good", config, settings.holdout_every)
    settings = settings.for_space(space, len(good.train.pixels))
    variation = settings.camera_variation()
    learnt = good.train.with_variation(variation, settings.training_renderings, seed=1)
    bank = good.train.subset(evenly_spaced(len(good.train_names), settings.bank_images))
    bank = bank.with_variation(variation, settings.training_renderings, seed=2)
    held_back = good.held_back.with_variation(variation, settings.calibration_renderings, seed=3)
    with progress_bar(f"train {space}") as progress:
        model, report = train(config, learnt.pixels, settings.unet_budget(), device, progress=progress)
    print(f"{dataset.name}, {space}: {report.steps} steps in {report.seconds:.0f} s, final loss {report.final_loss:.4f}", file=sys.stderr)

    single = [profile_scorer(n, settings, config) for n in names if n != "recon"] + ([PixelPatchScorer()] if space == "pixel" else [])
    recon = profile_scorer("recon", settings, config)
    with progress_bar("fit") as progress:
        calibrations = fit_scorers(model, single + [recon], bank, held_back, progress=progress)
    # the control: the space's own diffusion scorer on a model that never trained (features stay frozen)
    control_name = "segment" if space == "pixel" else "radar"
    control_model = untrained(config, learnt.pixels, device)
    control = profile_scorer(control_name, settings, config)
    with progress_bar("fit control") as progress:
        calibrations["untrained"] = fit_scorers(control_model, [control], bank, held_back, progress=progress)[control_name]

    measured = single + [pixel_scale_copy(s) for s in single if s.learns_regional]
    calibrations |= {s.name: calibrations[s.name.removesuffix(PIXEL_SCALE)] for s in measured[len(single):]}
    thresholds = {name: c.thresholds for name, c in calibrations.items()}
    with progress_bar("evaluate") as progress:
        results, _ = evaluate_scorers(model, measured, thresholds, items, progress=progress)
    recon_items = items if args.recon_limit is None else [items[i] for i in evenly_spaced(len(items), args.recon_limit)]
    with progress_bar("evaluate recon") as progress:
        [recon_result], _ = evaluate_scorers(model, [recon], thresholds, recon_items, progress=progress)
    with progress_bar("evaluate control") as progress:
        [control_result], _ = evaluate_scorers(control_model, [control], {control_name: thresholds["untrained"]}, items, progress=progress)
    control_result = replace(control_result, scorer="untrained")
    prefix = "" if space == "pixel" else f"{space}/"
    default = DEFAULT_SCORERS[space]
    described = [
        *((r, calibrations[s.name], s.description + (" (default)" if s.name == default else ""), len(items)) for r, s in zip(results, measured)),
        (recon_result, calibrations[recon.name], recon.description, len(recon_items)),
        (control_result, calibrations["untrained"], f"control: {control_name} on an untrained {space}-space model", len(items)),
    ]
    shown = [replace(r, scorer=prefix + r.scorer) for r, *_ in described]
    rows = [_row(r, c, d, n) for r, (_, c, d, n) in zip(shown, described)]
    for row in rows:
        row.update(dataset=dataset.name, space=space, half=args.half, train_steps=report.steps, train_seconds=round(report.seconds, 1),
                   resolution=resolution.describe() if resolution else f"{config.resize_mode} to {config.image_size} px")
    print(f"{dataset.name}, {space} space, {args.half} half ({report.steps} training steps; recon on {len(recon_items)} of {len(items)} test images; "
          f"{rows[0]['resolution']})")
    print(format_table(shown))
    at_default = [s.name for s in single].index(default)
    default_scorer = single[at_default]
    with progress_bar("camera check") as progress:
        camera, camera_scores = camera_check(model, default_scorer, thresholds[default], items, progress)
    print(f"good test images above NOK / REVIEW with {default} (promised at most {NOK_FALSE_REJECT_RATE:g} / "
          f"{REVIEW_FALSE_REJECT_RATE:g}): " + ", ".join(f"{k} {v[0]:.3f} / {v[1]:.3f}" for k, v in camera.items()))
    rows[at_default].update(camera_check=camera, camera_scores=camera_scores)
    by_defect = results[at_default].pixel_auroc_by_defect
    if by_defect:  # sets with masks
        print(f"pixel AUROC of {default} by defect kind: " + ", ".join(f"{k} {v:.3f}" for k, v in by_defect.items()))
    if args.selftest:
        with progress_bar("self-test") as progress:
            record = selftest_check(model, default_scorer, thresholds[default], dataset / "train" / "good", good.held_back_names, progress)
        print(f"self-test of {default} at NOK ({record['images']} held-back images, strokes {record['stroke_width']:g} px wide):")
        print("\n".join(selftest_table(record)))
        rows[at_default].update(selftest=record)
    return rows


def pixel_scale_copy(scorer):
    """A calibrated scorer that shows its maps at two scales, as it shows them without the regional scale
    (as profiles made before it): scores are the same, the row measures what the two-scale map adds."""
    from radar_desktop.core.regional_scale import REGIONAL_KEY
    from radar_desktop.engine.scorers.registry import make_scorer

    copy = make_scorer(scorer.name)
    for name, part in copy.components().items():
        part.load_full_state(scorer.components()[name].full_state())
    copy.load_full_state({k: v for k, v in scorer.full_state().items() if k != REGIONAL_KEY})
    copy.name = scorer.name + PIXEL_SCALE
    copy.description = scorer.description + ", its map at the pixel scale only"
    return copy


def selftest_check(model, scorer, thresholds, folder: Path, names, progress) -> dict:
    """The app's self-test on the held-back good images (read at their own size, as a profile's self-test
    reads them): the record at the NOK threshold, with the image count and stroke width."""
    from radar_desktop.core.inspection_plan import InspectionPlan
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.engine.jobs.selftest import selftest_record, selftest_scores
    from radar_desktop.sources.images import read_image

    images = [read_image(folder / name, model.config.channels) for name in names]
    inspector = Inspector(model, scorer, thresholds, plan=InspectionPlan(float("inf")))
    scores = selftest_scores(inspector, images, progress=progress)
    return {**selftest_record(scores, thresholds.nok), "images": len(images), "stroke_width": scores.stroke_width}


def camera_check(model, scorer, thresholds, items, progress) -> tuple[dict[str, tuple[float, float]], dict[str, list[float]]]:
    """Shares of good test images above NOK and REVIEW as stored, re-saved as JPEG quality 75 (a webcam's
    MJPG stream), and blurred by a 1-px Gaussian (a lens slightly out of focus); and their scores."""
    import cv2
    import numpy as np

    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.sources.images import read_image

    def jpeg(image: np.ndarray) -> np.ndarray:
        _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 75])
        return cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED).reshape(image.shape)

    renderings = {"as stored": lambda image: image, "JPEG 75": jpeg,
                  "blur 1 px": lambda image: cv2.GaussianBlur(image, (0, 0), 1.0).reshape(image.shape)}
    good = [item for item in items if not item.is_anomalous]
    stored = [np.round(read_image(item.path, model.config.channels) * 255).astype(np.uint8) for item in good]
    inspector = Inspector(model, scorer, thresholds)
    shares, scores_of = {}, {}
    for done, (name, render) in enumerate(renderings.items()):
        images = [render(image).astype(np.float32) / 255.0 for image in stored]
        scores = np.array([r.score for r in inspector.inspect(images, [str(item.path) for item in good])])
        shares[name] = (float(np.mean(scores > thresholds.nok)), float(np.mean(scores > thresholds.review)))
        scores_of[name] = scores.tolist()
        progress((done + 1) / len(renderings), name)
    return shares, scores_of


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
    parser.add_argument("--config", type=Path, help="pixel-space model config JSON (default: the app's defaults)")
    parser.add_argument("--spaces", type=lambda v: v.split(","), default=["encoder", "pixel"], help="spaces to train, comma-separated")
    parser.add_argument("--half", choices=("report", "tuning", "all"), default="report", help="which test images to measure")
    parser.add_argument("--recon-limit", type=int, help="evaluate recon on this many evenly spaced test images")
    parser.add_argument("--json", type=Path, default=Path("accuracy.json"))
    parser.add_argument("--camera-variation", default=",".join(CAMERA_PARTS), metavar="PARTS",
                        type=lambda v: CameraVariation.only(v).parts,
                        help="camera re-renderings training and calibration see, as the app's train takes them (default all)")
    parser.add_argument("--calibration-renderings", type=int, default=TrainConfig.calibration_renderings, metavar="N",
                        help="camera re-renderings of each held-back image in calibration (default: the app's)")
    parser.add_argument("--resolution", choices=("app", "squeeze"), default="app",
                        help="app: as a new profile sees each set (long parts in tiles, aspect kept; default); "
                        "squeeze: every image squeezed to one working square, as before issue 29")
    parser.add_argument("--min-defect", type=float, metavar="PX", help="with --resolution app: the smallest defect, as train takes it")
    parser.add_argument("--selftest", action="store_true", help="run the app's self-test on the default scorer and print its a90 per shape")
    args = parser.parse_args()

    from dataclasses import asdict

    from radar_desktop.engine.config import ModelConfig, default_config
    from radar_desktop.engine.device import describe_device, resolve_device

    device = resolve_device(args.device)
    began = time.perf_counter()
    rows = [row for dataset in args.datasets for row in run_dataset(dataset, args, device)]
    pixel = ModelConfig.load(args.config) if args.config else default_config("pixel")
    report = {
        "device": describe_device(device),
        "budget": {"minutes": None if args.steps else args.minutes, "steps": args.steps},
        "models": {space: asdict(pixel if space == "pixel" else default_config(space)) for space in args.spaces},
        "camera_variation": list(args.camera_variation),
        "calibration_renderings": args.calibration_renderings,
        "recon_limit": args.recon_limit,
        "seconds": round(time.perf_counter() - began, 1),
        "rows": rows,
    }
    args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
