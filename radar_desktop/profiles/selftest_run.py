"""Running the detection-probability self-test on a stored profile and keeping it as a new version.

The defects are synthetic (discs and strokes pasted into the held-back good images), so the result
measures the sensitivity to those, not to the product's real defects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.inspection_plan import InspectionPlan
from radar_desktop.core.pod import PodFit
from radar_desktop.core.quantities import score_text
from radar_desktop.engine.jobs.inspection import Inspector
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.scorers.base import Scorer
from radar_desktop.engine.jobs.selftest import DEFAULT_REPEATS, DEFAULT_SIZES, selftest_record, selftest_scores
from radar_desktop.profiles.manage import revise
from radar_desktop.profiles.profile import Profile, ProfileError
from radar_desktop.profiles.store import open_profile
from radar_desktop.sources.images import ImageReadError, read_image

EVENT = "self-test"


def held_back_images(profile: Profile, channels: int | None = None) -> list[np.ndarray]:
    """The profile's held-back good images, read from their folder (unreadable ones skipped).

    ``channels`` defaults to the profile's recorded preprocessing. Raises :class:`ProfileError` when the
    folder is gone or none of the images can be read: the self-test needs them.
    """
    channels = channels or profile.preprocessing.get("channels")
    if channels not in (1, 3):
        raise ProfileError(f"profile {profile.name!r} does not record how many channels its images have")
    folder = profile.training.get("held_back_folder") or profile.training.get("images")
    names = profile.training.get("held_back_images") or []
    if not folder or not names:
        raise ProfileError(f"profile {profile.name!r} does not record its held-back images; the self-test needs them")
    folder = Path(folder)
    if not folder.is_dir():
        raise ProfileError(
            f"the self-test needs the held-back images of profile {profile.name!r}, but their folder {folder} is gone"
        )
    images = []
    for name in names:
        try:
            images.append(read_image(folder / name, channels))
        except ImageReadError:
            continue  # one missing image only makes the test smaller
    if not images:
        raise ProfileError(
            f"none of the {len(names)} held-back images of profile {profile.name!r} can be read from {folder}; "
            "the self-test needs the held-back images"
        )
    return images


def profile_selftest(
    profile: Profile,
    model: RadarModel,
    scorer: Scorer,
    mask: np.ndarray | None,
    *,
    seed: int = 0,
    sizes: int = DEFAULT_SIZES,
    repeats: int = DEFAULT_REPEATS,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> dict:
    """The self-test record of ``profile``: synthetic defects in its held-back images, scored with
    ``scorer`` (the ``mask`` applied, as inspection applies it) and fitted at the profile's NOK threshold."""
    thresholds = profile.thresholds()
    plan = InspectionPlan(float("inf"), mask=mask)  # scores only: no region is measured
    inspector = Inspector(model, scorer, thresholds, plan=plan)
    scores = selftest_scores(
        inspector, held_back_images(profile, model.config.channels), mask=mask, seed=seed, sizes=sizes,
        repeats=repeats, cancel=cancel, progress=progress,
    )
    return selftest_record(scores, thresholds.nok, profile.inspection.get("mm_per_pixel"))


def selftest_profile(
    name: str,
    device: torch.device,
    *,
    seed: int = 0,
    sizes: int = DEFAULT_SIZES,
    repeats: int = DEFAULT_REPEATS,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> tuple[Profile, dict]:
    """Self-test the stored profile ``name`` at its NOK threshold; store the record as a new version.

    ``sizes`` and ``repeats`` are passed to :func:`~radar_desktop.engine.jobs.selftest.selftest_scores`.
    Returns the new version of the profile and the record it now holds as ``profile.selftest``.
    """
    profile = open_profile(name)
    model = profile.load_model(device)
    record = profile_selftest(
        profile, model, profile.load_scorer(), profile.inspection_mask(),
        seed=seed, sizes=sizes, repeats=repeats, cancel=cancel, progress=progress,
    )

    def store(revised: Profile, folder: Path) -> None:
        revised.selftest = record

    a90 = ", ".join(f"{shape} {PodFit.from_dict(fit).cells()['a90']}" for shape, fit in record["fits"].items())
    images = record["scores"]["images"]
    detail = f"synthetic defects in {images} held-back images, NOK > {score_text(record['nok'])}, seed {seed}; a90: {a90}"
    return revise(name, store, EVENT, detail), record
