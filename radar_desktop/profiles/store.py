"""The profile store: one folder per profile under the user's data home."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from radar_desktop.core.atomic import recover_interrupted
from radar_desktop.profiles.paths import profiles_dir
from radar_desktop.profiles.profile import Profile, ProfileError, check_name, load_profile


@dataclass(frozen=True)
class BrokenProfile:
    """A profile folder that could not be loaded, and why."""

    name: str
    reason: str


def profile_path(name: str) -> Path:
    return profiles_dir() / check_name(name)


def list_profiles() -> tuple[list[Profile], list[BrokenProfile]]:
    """Loadable profiles and broken ones (with reasons); a broken one never stops the others."""
    root = profiles_dir()
    good, broken = [], []
    if not root.is_dir():
        return good, broken
    recover_interrupted(root)
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            good.append(load_profile(folder))
        except ProfileError as error:
            broken.append(BrokenProfile(folder.name, str(error)))
    return good, broken


def open_profile(name: str) -> Profile:
    """Load a profile by name, with a message that lists the known ones when it is missing."""
    folder = profile_path(name)
    recover_interrupted(folder.parent)
    if not folder.is_dir():
        known = ", ".join(p.name for p in list_profiles()[0]) or "none"
        raise ProfileError(f"no profile named {name!r} (profiles: {known})")
    return load_profile(folder)


def profiles_reviewing_nok() -> frozenset[str]:
    """Names of the stored profiles whose NOK results wait for review too."""
    return frozenset(profile.name for profile in list_profiles()[0] if profile.review_nok)
