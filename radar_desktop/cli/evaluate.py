"""The evaluate command: a profile's scorers measured on an MVTec-layout dataset."""

from __future__ import annotations

import argparse
import json

from radar_desktop.cli.console import log, progress_bar
from radar_desktop.cli.scan_run import open_profile_model
from radar_desktop.core.calibration import NOK_FALSE_REJECT_RATE, REVIEW_FALSE_REJECT_RATE


def evaluate_command(args: argparse.Namespace) -> int:
    """Measure the profile's scorers on the dataset; print a table, write every metric to JSON."""
    from radar_desktop.core.atomic import write_text_atomic
    from radar_desktop.engine.jobs.evaluation import evaluate_scorers
    from radar_desktop.sources.mvtec import labelled_test_images

    profile, model = open_profile_model(args.profile, args.device)
    names = list(profile.scorers) if args.scorer == "all" else (args.scorer or profile.default_scorer).split(",")
    scorers = [profile.load_scorer(n) for n in names]
    items = labelled_test_images(args.dataset)
    with progress_bar("evaluate") as progress:
        results, skipped = evaluate_scorers(
            model, scorers, {n: profile.thresholds(n) for n in names}, items, progress=progress
        )
    for path, reason in skipped:
        log(f"skipped {path}: {reason}")
    report = {
        "dataset": str(args.dataset),
        "profile": profile.name,
        "profile_hash": profile.content_hash,
        "images": len(items) - len(skipped),
        "anomalous": sum(i.is_anomalous for i in items),
        "skipped": [list(s) for s in skipped],
        "scorers": {
            r.scorer: {**r.summary(), "description": s.description, "made_of": list(s.part_labels()), "scores": r.scores}
            for r, s in zip(results, scorers)
        },
    }
    write_text_atomic(args.json, json.dumps(report, indent=2))
    print(format_table(results))
    for scorer in scorers:
        print(f"{scorer.name}: {scorer.description}" + (f" (made of {' + '.join(scorer.part_labels())})" if len(scorer.part_labels()) > 1 else ""))
    return 0


def format_table(results) -> str:
    """A plain-text table of the headline metrics, one row per scorer.

    Recall and good-rejected are at the calibrated REVIEW (5%) and NOK (1%) thresholds; F1 at NOK.
    """
    width = max([10, *(len(r.scorer) for r in results)])
    header = (
        f"{'scorer':<{width}} {'img AUROC':>9} {'pix AUROC':>9} {'AUPRO':>6} {'recall R/N':>10} "
        f"{'good rej R/N':>12} {'F1':>5} {'best F1':>7} {'ms/img':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        t, v = r.at_threshold, r.at_review
        lines.append(
            f"{r.scorer:<{width}} {r.image_auroc:>9.3f} {r.pixel_auroc:>9.3f} {r.aupro:>6.3f} "
            f"{v['recall']:>5.2f}/{t['recall']:<4.2f} {v['false_reject_rate']:>7.2f}/{t['false_reject_rate']:<4.2f} "
            f"{t['f1']:>5.2f} {r.best_f1['f1']:>7.2f} {r.ms_per_image:>8.1f}"
        )
    lines.append(f"good rej: share of good test images above REVIEW / NOK; the thresholds promise at most "
                 f"{REVIEW_FALSE_REJECT_RATE:g} / {NOK_FALSE_REJECT_RATE:g}")
    return "\n".join(lines)
