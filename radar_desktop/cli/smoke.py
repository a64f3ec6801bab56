"""The smoke test: one bundled sample inspected with the demo profile, to check an install or a bundle."""

from __future__ import annotations

import sys

from radar_desktop.core.quantities import score_text


def smoke_test(device_name: str) -> int:
    """Load the bundled demo profile, inspect one bundled defect sample, print the verdict.

    Checks that a fresh install (or a frozen bundle) has a working engine: torch, diffusers, the model
    weights, a scorer state and image decoding. Returns 0 when the sample was inspected.
    """
    import time

    from radar_desktop.core.resources import demo_profile_folder, samples_folder
    from radar_desktop.engine.device import describe_device, resolve_device
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.profiles.profile import ProfileError, load_verified
    from radar_desktop.sources.images import ImageReadError, list_images, read_image

    began = time.perf_counter()
    try:
        profile = load_verified(demo_profile_folder())
        model = profile.load_model(resolve_device(device_name))
        inspector = Inspector(model, profile.load_scorer(), profile.thresholds())
        sample = [p for p in list_images(samples_folder()) if "good" not in p.stem][0]
        result = inspector.inspect([read_image(sample, model.config.channels)], [str(sample)])[0]
    except (ProfileError, ImageReadError, OSError, IndexError) as error:
        print(f"smoke test failed: {error}", file=sys.stderr)
        return 1
    thresholds = inspector.thresholds
    print(
        f"smoke test: {sample.name} -> {result.verdict.value} (score {score_text(result.score)}; REVIEW > {score_text(thresholds.review)}, "
        f"NOK > {score_text(thresholds.nok)}) with profile {profile.name!r} {profile.content_hash[:12]}, scorer "
        f"{profile.default_scorer}, on {describe_device(model.device)}, {time.perf_counter() - began:.1f} s"
    )
    return 0
