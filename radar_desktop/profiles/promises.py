"""The false-reject promises of a profile's thresholds, from what it recorded at calibration."""

from __future__ import annotations

from radar_desktop.core.calibration import NOK_FALSE_REJECT_RATE, REVIEW_FALSE_REJECT_RATE
from radar_desktop.core.promise import Promise, threshold_promises
from radar_desktop.profiles.profile import Profile
from radar_desktop.profiles.recalibration import ADDED_KEY

TARGETS_KEY = "false_reject_targets"  # in Profile.training: {"nok": rate, "review": rate}


def profile_promises(profile: Profile, scorer: str | None = None) -> tuple[Promise, Promise]:
    """The NOK and REVIEW promises of ``scorer`` (default: the profile's), each held-back image counted once."""
    entry = profile.entry(scorer)
    training = profile.training
    images = len(training.get("held_back_images", [])) + len(training.get(ADDED_KEY, []))
    targets = training.get(TARGETS_KEY, {})
    return threshold_promises(
        entry.good_scores, entry.thresholds.review, entry.thresholds.nok, images,
        nok_rate=targets.get("nok", NOK_FALSE_REJECT_RATE), review_rate=targets.get("review", REVIEW_FALSE_REJECT_RATE),
    )


def promise_lines(profile: Profile, scorer: str | None = None) -> tuple[str, ...]:
    """The promises in words, NOK first."""
    return tuple(p.text() for p in profile_promises(profile, scorer))
