"""The train command: a profile trained and calibrated from a folder of good images."""

from __future__ import annotations

import argparse

from radar_desktop.cli.console import cancel_on_interrupt, log, progress_bar
from radar_desktop.core.cancel import CancelToken, Cancelled
from radar_desktop.core.quantities import score_text
from radar_desktop.sources.camera_variation import CameraVariation


def train_command(args: argparse.Namespace) -> int:
    """Train and calibrate a profile; an interrupted run keeps its checkpoint to resume from."""
    from radar_desktop.engine.config import TrainConfig
    from radar_desktop.engine.device import resolve_device
    from radar_desktop.engine.scorers.registry import DEFAULT_SCORERS
    from radar_desktop.profiles.builder import build_profile
    from radar_desktop.profiles.promises import promise_lines
    from radar_desktop.profiles.working_resolution import resolution_for_folder

    if args.steps is not None:
        budget = {"max_steps": args.steps, "max_seconds": None}
    else:
        budget = {"max_seconds": 60.0 * (args.minutes or 15.0)}
    variation = CameraVariation.only(args.camera_variation).parts
    settings = TrainConfig(**budget, batch_size=args.batch_size, bank_size=args.bank_size, variation=variation)
    device = resolve_device(args.device)
    cancel = CancelToken()
    config = _model_config(args)
    if args.min_defect is not None and (args.config or args.resize):
        raise ValueError("--min-defect chooses the working resolution: leave out --resize and --config")
    if args.config is None and args.resize is None:
        resolution = resolution_for_folder(args.images, config, args.min_defect, args.scale)
        config = resolution.apply(config)
        log(f"working resolution: {resolution.describe()}")
    with progress_bar("train") as progress, cancel_on_interrupt(cancel):
        try:
            profile = build_profile(
                args.images,
                args.name,
                model_config=config,
                train_config=settings,
                device=device,
                default_scorer=args.scorer or DEFAULT_SCORERS[config.space],
                held_back=args.held_back,
                inspection={"mm_per_pixel": args.scale} if args.scale else None,
                replace=args.replace,
                selftest=not args.no_selftest,
                cancel=cancel,
                progress=progress,
                log=log,
            )
        except Cancelled:
            log("training interrupted; its checkpoint is kept: run the same command again to resume")
            raise
    t = profile.training
    th = profile.thresholds()
    print(
        f"profile {profile.name!r} saved: {t['steps']} steps in {t['seconds']:.0f} s, final loss {t['final_loss']:.4f}; "
        f"scorer {profile.entry().made_of(profile.default_scorer)}, thresholds REVIEW > {score_text(th.review)}, "
        f"NOK > {score_text(th.nok)}; hash {profile.content_hash[:12]}"
    )
    print("\n".join(promise_lines(profile)))
    if profile.selftest:
        from radar_desktop.engine.jobs.selftest import selftest_table

        print("detection-probability self-test:")
        print("\n".join(selftest_table(profile.selftest)))
    return 0


def _model_config(args: argparse.Namespace):
    """The model config from ``--config`` (or the defaults), with the command-line overrides applied."""
    from dataclasses import replace

    from radar_desktop.engine.config import DEFAULT_SPACE, ModelConfig, default_config

    config = ModelConfig.load(args.config) if args.config else default_config(args.space or DEFAULT_SPACE)
    if args.space and config.space != args.space:
        raise ValueError(f"--space {args.space} contradicts the {config.space} space of {args.config}")
    overrides = {"channels": 3 if args.color else None, "image_size": args.image_size, "resize_mode": args.resize}
    return replace(config, **{k: v for k, v in overrides.items() if v is not None})
