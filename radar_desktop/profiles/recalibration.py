"""Adding images a person reviewed as good to a profile's held-back set, and recalibrating its thresholds.

Each image is used only if its file is still there with the SHA-256 it had when it was inspected (so the
pixels are the ones the reviewer judged); the others are listed and skipped. The profile scores the new
images as its calibration scored its held-back ones, appends them to every scorer's good scores, and
sets the thresholds again from all of them at the scorer's target false-reject rates: a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from radar_desktop.core.cancel import CancelToken, ProgressFn, no_progress
from radar_desktop.core.digest import file_sha256
from radar_desktop.core.quantities import score_text
from radar_desktop.core.verdict import Thresholds
from radar_desktop.profiles.manage import revise
from radar_desktop.profiles.profile import Profile, ProfileError
from radar_desktop.profiles.store import open_profile
from radar_desktop.sources.images import ImageReadError

if TYPE_CHECKING:
    import torch

EVENT = "recalibrated"
ADDED_KEY = "reviewed_good_images"  # in Profile.training: [{"path", "sha256"}] of the images added so far


@dataclass(frozen=True)
class GoodImage:
    """An image a person reviewed as good: the file inspected and its SHA-256 at the time."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Recalibration:
    """What a recalibration did: the profile's new version, images added and skipped (path, why), and
    each scorer's thresholds before and after."""

    profile_name: str
    content_hash: str
    added: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    thresholds: tuple[tuple[str, Thresholds, Thresholds], ...]  # (scorer, before, after), the default scorer first

    def describe(self) -> str:
        """One line for a status bar: how many images went in and the default scorer's thresholds."""
        name, before, after = self.thresholds[0]
        skipped = f" ({len(self.skipped)} skipped: missing or changed)" if self.skipped else ""
        return (f"Profile {self.profile_name} recalibrated with {len(self.added)} reviewed-good images{skipped}: "
                f"{name} {_change(before, after)}")


def not_yet_added(profile: Profile, images: list[GoodImage]) -> list[GoodImage]:
    """``images`` without repeats (by SHA-256) and without those already in the profile's held-back set."""
    held = {item["sha256"] for item in profile.training.get(ADDED_KEY, [])}
    fresh = {}
    for image in images:
        if image.sha256 not in held:
            fresh.setdefault(image.sha256, image)
    return list(fresh.values())


def recalibrate(
    name: str,
    images: list[GoodImage],
    device: torch.device,
    *,
    batch_size: int = 8,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
) -> Recalibration:
    """Add the reviewed-good ``images`` to profile ``name``'s held-back set and recalibrate every scorer.

    Images the profile holds already are left out; missing or changed ones are skipped and listed.
    Raises :class:`ProfileError` when no image is left to add (the profile stays as it was).
    """
    # the engine (torch) is imported here, not with the module: the review queue opens without it
    from radar_desktop.engine.jobs.calibrate import WorkingImages, held_back_scores
    from radar_desktop.engine.jobs.selftest import refit_record
    from radar_desktop.profiles.builder import read_working

    profile = open_profile(name)
    wanted = not_yet_added(profile, images)
    if not wanted:
        raise ProfileError(f"profile {name!r} already holds every one of these reviewed-good images")
    model = profile.load_model(device)
    usable, working, skipped = [], [], []
    for image in wanted:
        reason = _unusable(image)
        if reason is None:
            try:
                working.append(read_working(Path(image.path), model.config))
            except ImageReadError as error:
                reason = str(error)
        if reason is not None:
            skipped.append((image.path, reason))
            continue
        usable.append(image)
    if not usable:
        listed = "; ".join(f"{Path(path).name}: {why}" for path, why in skipped[:5])
        raise ProfileError(f"none of the {len(wanted)} reviewed-good images can be added to profile {name!r} ({listed})")
    # the default scorer first: its thresholds are the ones inspections use
    scorers = [profile.load_scorer(s) for s in sorted(profile.scorers, key=lambda s: s != profile.default_scorer)]
    scores = held_back_scores(
        model, scorers, WorkingImages.join(working, model.config),
        seen={s: len(entry.good_scores) for s, entry in profile.scorers.items()},
        batch_size=batch_size, cancel=cancel, progress=progress,
    )
    changes = []
    for scorer in scorers:
        entry = profile.scorers[scorer.name]
        good = [*entry.good_scores, *scores[scorer.name].tolist()]
        changes.append((scorer.name, entry.thresholds, scorer.thresholds_for(np.asarray(good))))

    def change(revised: Profile, folder: Path) -> None:
        for scorer_name, _, after in changes:
            entry = revised.scorers[scorer_name]
            entry.good_scores = [*entry.good_scores, *scores[scorer_name].tolist()]
            entry.thresholds = after
        revised.training[ADDED_KEY] = [*revised.training.get(ADDED_KEY, []),
                                       *({"path": i.path, "sha256": i.sha256} for i in usable)]
        if revised.selftest:  # its fits follow the new NOK threshold (no image is inspected again)
            revised.selftest = refit_record(revised.selftest, revised.thresholds().nok)

    detail = (
        f"{len(usable)} reviewed-good images added to the held-back set"
        + (f" ({len(skipped)} missing or changed, skipped)" if skipped else "")
        + "; " + "; ".join(
            f"{s} {_change(before, after)}" if scores[s].size else f"{s} unchanged (at its cap of held-back images)"
            for s, before, after in changes
        )
    )
    saved = revise(name, change, EVENT, detail)
    return Recalibration(name, saved.content_hash, tuple(i.path for i in usable), tuple(skipped), tuple(changes))


def _unusable(image: GoodImage) -> str | None:
    """Why an image cannot be added (None: it can): gone, unreadable, or not the file that was reviewed."""
    if not Path(image.path).is_file():
        return "no longer there"
    digest = file_sha256(image.path)
    if digest is None:
        return "cannot be read"
    return None if digest == image.sha256 else "changed since it was reviewed (SHA-256 differs)"


def _change(before: Thresholds, after: Thresholds) -> str:
    return f"REVIEW > {score_text(before.review)} → {score_text(after.review)}, NOK > {score_text(before.nok)} → {score_text(after.nok)}"
